/**
 * CLIP's image and text encoders on ONNX Runtime's CPU execution provider, on worker threads like FastSAM's
 * `cpu` backend (never on the event loop's thread): two files, or one combined model fed a one-row
 * placeholder for the side not asked for.
 * Exports with a fixed batch size are fed in chunks of that size (the last one zero-padded).
 */
import type { WireTensor } from '../backends/cpu/session-messages';
import { SessionPool } from '../backends/cpu/session-pool';
import { FastSAMError, messageOf } from '../errors';
import { type OnnxModelInfo, readOnnxModelInfo } from '../onnx/model-info';
import { formatError, readAsset } from './files';
import {
  combinedLayout,
  type IdsType,
  imageEncoderLayout,
  type ImageEncoderLayout,
  textEncoderLayout,
  type TextEncoderLayout,
} from './layout';

export type EncoderFiles = { vision: string; text: string } | { combined: string };

export interface EncoderOptions {
  /** Intra-op threads per session; default: ONNX Runtime's (one per core). */
  threads?: number;
}

/** Raw (not normalised) embeddings: count rows of `dim` floats. */
export interface Embeddings {
  data: Float32Array;
  count: number;
  dim: number;
}

function infoOf(bytes: Uint8Array, file: string, what: string): OnnxModelInfo {
  try {
    return readOnnxModelInfo(bytes);
  } catch (error) {
    throw formatError(file, `an ONNX ${what}`, `bytes that are not an ONNX model (${messageOf(error)})`, error);
  }
}

async function createSession(bytes: Uint8Array, file: string, options: EncoderOptions): Promise<SessionPool> {
  try {
    return await SessionPool.create(bytes, { threads: options.threads });
  } catch (error) {
    throw formatError(file, 'an ONNX model that ONNX Runtime can load', messageOf(error), error);
  }
}

function idsTensor(type: IdsType, values: ArrayLike<number>, dims: number[]): WireTensor {
  if (type === 'int32') return { type: 'int32', data: Int32Array.from(values), dims };
  return { type: 'int64', data: BigInt64Array.from(Array.from(values, (v) => BigInt(v))), dims };
}

/** Splits `count` rows into runs of at most the fixed batch (or all at once). */
function chunks(count: number, fixedBatch: number | null): Array<{ start: number; rows: number; batch: number }> {
  const step = fixedBatch ?? count;
  const out: Array<{ start: number; rows: number; batch: number }> = [];
  for (let start = 0; start < count; start += step) {
    const rows = Math.min(step, count - start);
    out.push({ start, rows, batch: fixedBatch ?? rows });
  }
  return out;
}

export class ClipEncoders {
  private disposed = false;
  private dim: number | null;
  private readonly inFlight = new Set<Promise<unknown>>();

  private constructor(
    private readonly imageSession: SessionPool,
    private readonly textSession: SessionPool,
    readonly image: ImageEncoderLayout,
    readonly text: TextEncoderLayout,
    /** A combined model: both inputs are fed on every run. */
    private readonly combined: boolean,
  ) {
    this.dim = image.embedDim ?? text.embedDim;
  }

  static async load(files: EncoderFiles, options: EncoderOptions = {}): Promise<ClipEncoders> {
    if ('combined' in files) {
      const bytes = await readAsset(files.combined, 'CLIP model (combined image and text encoder)');
      const layout = combinedLayout(infoOf(bytes, files.combined, 'combined CLIP model'), files.combined);
      const session = await createSession(bytes, files.combined, options);
      return new ClipEncoders(session, session, layout.image, layout.text, true);
    }
    const [visionBytes, textBytes] = await Promise.all([
      readAsset(files.vision, 'CLIP image encoder (vision model)'),
      readAsset(files.text, 'CLIP text encoder (text model)'),
    ]);
    const image = imageEncoderLayout(infoOf(visionBytes, files.vision, 'CLIP image encoder'), files.vision);
    const text = textEncoderLayout(infoOf(textBytes, files.text, 'CLIP text encoder'), files.text);
    if (image.embedDim !== null && text.embedDim !== null && image.embedDim !== text.embedDim) {
      throw formatError(
        files.text,
        `a text encoder whose embeddings match the image encoder's ${image.embedDim} (${files.vision})`,
        `${text.embedDim}`,
      );
    }
    const sessions = await Promise.allSettled([
      createSession(visionBytes, files.vision, options),
      createSession(textBytes, files.text, options),
    ]);
    const failed = sessions.find((s) => s.status === 'rejected');
    if (failed) {
      // Free the one that loaded before reporting the one that did not.
      await Promise.all(sessions.map((s) => (s.status === 'fulfilled' ? s.value.dispose() : undefined)));
      throw failed.reason;
    }
    const [imageSession, textSession] = sessions.map((s) => (s as PromiseFulfilledResult<SessionPool>).value);
    return new ClipEncoders(imageSession, textSession, image, text, false);
  }

  /** Embedding width, once known (declared by the files, or seen on the first run). */
  get embedDim(): number | null {
    return this.dim;
  }

  /** Image embeddings of `count` preprocessed images ([count, 3, size, size] floats). */
  async encodeImages(pixels: Float32Array, count: number, placeholderIds: number[]): Promise<Embeddings> {
    const { size, input, output, fixedBatch, file } = this.image;
    const plane = 3 * size * size;
    if (pixels.length < count * plane) throw new RangeError(`${count} images need ${count * plane} floats, got ${pixels.length}`);
    const parts: Float32Array[] = [];
    for (const { start, rows, batch } of chunks(count, fixedBatch)) {
      const data =
        rows === batch
          ? pixels.subarray(start * plane, (start + rows) * plane)
          : padded(pixels, start * plane, rows * plane, batch * plane);
      const feeds: Record<string, WireTensor> = { [input]: { type: 'float32', data, dims: [batch, 3, size, size] } };
      if (this.combined) Object.assign(feeds, this.textFeeds([placeholderIds], [2], 1));
      parts.push(await this.run(this.imageSession, feeds, output, file, batch, rows));
    }
    return this.collect(parts, count);
  }

  /** Text embeddings of rows already padded to contextLength; `lengths` count the real tokens (for attention_mask). */
  async encodeTexts(rows: number[][], lengths: number[]): Promise<Embeddings> {
    const { output, fixedBatch, file } = this.text;
    const parts: Float32Array[] = [];
    for (const { start, rows: n, batch } of chunks(rows.length, fixedBatch)) {
      const chunkRows = rows.slice(start, start + n);
      const chunkLengths = lengths.slice(start, start + n);
      while (chunkRows.length < batch) {
        chunkRows.push(rows[0]);
        chunkLengths.push(lengths[0]);
      }
      const feeds = this.textFeeds(chunkRows, chunkLengths, batch);
      if (this.combined) {
        const { size, input } = this.image;
        feeds[input] = { type: 'float32', data: new Float32Array(3 * size * size), dims: [1, 3, size, size] };
      }
      parts.push(await this.run(this.textSession, feeds, output, file, batch, n));
    }
    return this.collect(parts, rows.length);
  }

  /** Waits for runs in flight, then frees the sessions. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await Promise.allSettled([...this.inFlight]);
    await this.imageSession.dispose();
    if (this.textSession !== this.imageSession) await this.textSession.dispose();
  }

  /** The text inputs: ids, and for Hugging Face exports an attention_mask of 1 over the real tokens. */
  private textFeeds(rows: number[][], lengths: number[], batch: number): Record<string, WireTensor> {
    const { input, idsType, maskInput, maskType, contextLength } = this.text;
    const flat = rows.flat();
    const feeds: Record<string, WireTensor> = { [input]: idsTensor(idsType, flat, [batch, contextLength]) };
    if (maskInput) {
      const mask = new Array<number>(batch * contextLength).fill(0);
      lengths.forEach((length, r) => mask.fill(1, r * contextLength, r * contextLength + length));
      feeds[maskInput] = idsTensor(maskType, mask, [batch, contextLength]);
    }
    return feeds;
  }

  private async run(
    session: SessionPool,
    feeds: Record<string, WireTensor>,
    output: string,
    file: string,
    batch: number,
    keep: number,
  ): Promise<Float32Array> {
    if (this.disposed) throw new FastSAMError('E_DISPOSED', 'this CLIP scorer was disposed');
    let result: Record<string, WireTensor>;
    const running = session.run(feeds);
    this.inFlight.add(running);
    try {
      result = await running;
    } catch (error) {
      throw new FastSAMError('E_INFERENCE', `ONNX Runtime failed on ${file}: ${messageOf(error)}`, { cause: error });
    } finally {
      this.inFlight.delete(running);
    }
    const tensor = result[output];
    if (!tensor || tensor.type !== 'float32' || tensor.data.length === 0 || tensor.data.length % batch !== 0) {
      throw formatError(
        file,
        `a float32 '${output}' output of ${batch} rows`,
        tensor ? `${tensor.type} [${tensor.dims.join(', ')}]` : 'no such output',
      );
    }
    const data = tensor.data as Float32Array;
    const dim = data.length / batch;
    if (this.dim !== null && dim !== this.dim) {
      throw formatError(file, `embeddings of width ${this.dim} (as the other encoder gives)`, `width ${dim}`);
    }
    this.dim = dim;
    return data.subarray(0, keep * dim);
  }

  private collect(parts: Float32Array[], count: number): Embeddings {
    const dim = this.dim ?? 0;
    const data = new Float32Array(count * dim);
    let offset = 0;
    for (const part of parts) {
      data.set(part, offset);
      offset += part.length;
    }
    return { data, count, dim };
  }
}

/** A zero-padded copy for a fixed-batch export whose last chunk is short. */
function padded(source: Float32Array, start: number, length: number, total: number): Float32Array {
  const out = new Float32Array(total);
  out.set(source.subarray(start, start + length));
  return out;
}
