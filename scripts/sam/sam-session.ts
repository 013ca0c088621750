/**
 * Runs a SAM pair (image encoder; prompt encoder + mask decoder) in ONNX Runtime with the session
 * options FastSAM's cpu backend uses, whatever layout the files have (see layouts.ts).
 */
import * as fs from 'node:fs';
import * as ort from 'onnxruntime-node';
import { ONNX_ELEM_TYPE, readOnnxModelInfo } from '../../lib/onnx/model-info';
import { type DecoderLayout, type EncoderLayout, decoderLayout, encoderLayout } from './layouts';
import { type Point, type SamImage } from './preprocess';

/** One prompt, in encoder-input pixels: points with SAM labels (1 fg, 0 bg), or a box. */
export type SamPrompt =
  { kind: 'points'; points: readonly Point[]; labels: readonly number[] } | { kind: 'box'; box: readonly [number, number, number, number] };

export interface ImageEncoding {
  embeddings: ort.Tensor;
  positional: ort.Tensor;
  image: SamImage;
}

const PADDING_POINT = { point: [0, 0] as Point, label: -1 };

function sessionOptions(threads?: number): ort.InferenceSession.SessionOptions {
  return { executionProviders: ['cpu'], graphOptimizationLevel: 'all', ...(threads ? { intraOpNumThreads: threads } : {}) };
}

function intTensor(elemType: number, values: readonly number[], dims: readonly number[]): ort.Tensor {
  if (elemType === ONNX_ELEM_TYPE.INT64) return new ort.Tensor('int64', BigInt64Array.from(values.map(BigInt)), dims);
  if (elemType === ONNX_ELEM_TYPE.INT32) return new ort.Tensor('int32', Int32Array.from(values), dims);
  return new ort.Tensor('float32', Float32Array.from(values), dims);
}

/** A prompt as SAM's point list: a box is its corners with labels 2 and 3 (SAM's convention). */
function asPoints(prompt: SamPrompt): { points: Point[]; labels: number[] } {
  if (prompt.kind === 'points') return { points: [...prompt.points], labels: [...prompt.labels] };
  const [x1, y1, x2, y2] = prompt.box;
  return {
    points: [
      [x1, y1],
      [x2, y2],
    ],
    labels: [2, 3],
  };
}

export class SamSession {
  private constructor(
    private readonly encoder: ort.InferenceSession,
    private readonly decoder: ort.InferenceSession,
    readonly encoderLayout: EncoderLayout,
    readonly decoderLayout: DecoderLayout,
    /** Said once: e.g. a positional embedding that had to be zeros. */
    readonly notes: string[],
  ) {}

  static async load(encoderPath: string, decoderPath: string, threads?: number): Promise<SamSession> {
    const enc = encoderLayout(readOnnxModelInfo(fs.readFileSync(encoderPath)), encoderPath);
    const dec = decoderLayout(readOnnxModelInfo(fs.readFileSync(decoderPath)), decoderPath);
    const notes: string[] = [];
    if (dec.kind === 'transformers' && dec.positional && !enc.positional) {
      notes.push(
        'the decoder takes image_positional_embeddings but the encoder does not return them: zeros are fed (timing is unaffected, masks are not meaningful)',
      );
    }
    const encoder = await ort.InferenceSession.create(encoderPath, sessionOptions(threads));
    const decoder = await ort.InferenceSession.create(decoderPath, sessionOptions(threads));
    return new SamSession(encoder, decoder, enc, dec, notes);
  }

  get inputSize(): number {
    return this.encoderLayout.size;
  }

  /** Most prompts one decoder run takes (the automatic mask generator batches 64). */
  promptsPerRun(wanted: number): number {
    const d = this.decoderLayout;
    if (d.kind === 'segment-anything') return 1;
    return d.fixedPromptBatch ?? wanted;
  }

  async encode(image: SamImage): Promise<ImageEncoding> {
    const { input, embeddings, positional } = this.encoderLayout;
    const out = await this.encoder.run({ [input]: new ort.Tensor('float32', image.pixels, [1, 3, image.size, image.size]) });
    const emb = out[embeddings];
    const pos = positional ? out[positional] : new ort.Tensor('float32', new Float32Array(emb.data.length), emb.dims);
    return { embeddings: emb, positional: pos, image };
  }

  /** Zero embeddings of the encoder's output size: enough to warm the decoder up without encoding. */
  blankEncoding(image: SamImage): ImageEncoding {
    const dims = this.encoderLayout.embeddingDims;
    const zeros = () => new ort.Tensor('float32', new Float32Array(dims[1] * dims[2] * dims[3]), dims);
    return { embeddings: zeros(), positional: zeros(), image };
  }

  /** Decodes prompts (all with the same number of points) in runs of at most promptsPerRun(). */
  async decode(encoding: ImageEncoding, prompts: readonly SamPrompt[]): Promise<number> {
    const perRun = this.promptsPerRun(prompts.length);
    let runs = 0;
    for (let i = 0; i < prompts.length; i += perRun) {
      const batch = prompts.slice(i, i + perRun);
      const d = this.decoderLayout;
      if (d.kind === 'transformers') await this.decoder.run(this.transformersFeeds(d, encoding, batch));
      else await this.decoder.run(this.segmentAnythingFeeds(d, encoding, batch[0]));
      runs++;
    }
    return runs;
  }

  async dispose(): Promise<void> {
    await this.encoder.release();
    await this.decoder.release();
  }

  private transformersFeeds(
    d: Extract<DecoderLayout, { kind: 'transformers' }>,
    e: ImageEncoding,
    batch: readonly SamPrompt[],
  ): Record<string, ort.Tensor> {
    const lists = batch.map((p) =>
      d.boxes && p.kind === 'box' ? { points: [PADDING_POINT.point], labels: [PADDING_POINT.label] } : asPoints(p),
    );
    const n = lists[0].points.length;
    if (lists.some((l) => l.points.length !== n)) throw new Error('prompts decoded together need the same number of points');
    const p = batch.length;
    const feeds: Record<string, ort.Tensor> = {
      [d.imageEmbeddings]: e.embeddings,
      [d.points]: new ort.Tensor('float32', Float32Array.from(lists.flatMap((l) => l.points.flat())), [1, p, n, 2]),
    };
    if (d.positional) feeds[d.positional] = e.positional;
    if (d.labels)
      feeds[d.labels.name] = intTensor(
        d.labels.elemType,
        lists.flatMap((l) => l.labels),
        [1, p, n],
      );
    if (d.boxes) {
      // An export with a box input always needs one: point prompts get the whole frame.
      const s = e.image.size;
      const boxes = batch.flatMap((b) => (b.kind === 'box' ? [...b.box] : [0, 0, s, s]));
      feeds[d.boxes] = new ort.Tensor('float32', Float32Array.from(boxes), [1, p, 4]);
    }
    return feeds;
  }

  private segmentAnythingFeeds(
    d: Extract<DecoderLayout, { kind: 'segment-anything' }>,
    e: ImageEncoding,
    prompt: SamPrompt,
  ): Record<string, ort.Tensor> {
    const { points, labels } = asPoints(prompt);
    if (prompt.kind === 'points') {
      points.push(PADDING_POINT.point); // SAM's predictor pads point-only prompts
      labels.push(PADDING_POINT.label);
    }
    const side = (e.embeddings.dims[2] ?? 64) * 4;
    return {
      [d.imageEmbeddings]: e.embeddings,
      [d.pointCoords]: new ort.Tensor('float32', Float32Array.from(points.flat()), [1, points.length, 2]),
      [d.pointLabels]: new ort.Tensor('float32', Float32Array.from(labels), [1, labels.length]),
      [d.maskInput]: new ort.Tensor('float32', new Float32Array(side * side), [1, 1, side, side]),
      [d.hasMaskInput]: new ort.Tensor('float32', Float32Array.of(0), [1]),
      [d.origImSize.name]: intTensor(d.origImSize.elemType, [e.image.height, e.image.width], [2]),
    };
  }
}
