/**
 * The text prompt: which mask of a result best matches a text, scored by CLIP (CASIA `text_prompt` +
 * `retrieve`, spec 4.2). Masks of at most `minArea` pixels are skipped; every other mask becomes a crop
 * (see crops.ts), all crops are encoded in batches, and for each text the scores are
 * softmax(100 * cosine) over the crops. The chosen index is mapped back to the result through the list
 * of kept masks (the reference's single-pass correction picks a wrong mask when several skipped masks
 * sit just above the winner).
 *
 * Each chunk of masks is measured natively (areas, bounds) and its crops resized and normalised natively
 * (the image is copied to native memory once, and its own resize reused by every window on it), while the
 * previous batch is encoded.
 */
import { FastSAMError } from '../errors';
import type { Result } from '../masks/result';
import { measureMasks } from '../masks/mask-ops';
import { type CropMode, maskedCrop, windowOfBounds } from './crops';
import type { RawRgb } from './preprocess';
import { checkBatch, type ClipScorer, DEFAULT_BATCH } from './scorer';
import { argmax, softmaxScores } from './similarity';

/** Options of selectByText (and of the text prompt). */
export interface SelectByTextOptions {
  /** 'reference' (default): the mask's box pasted on a white canvas; 'masked': the box cut out, black outside the mask. */
  crop?: CropMode;
  /** Masks with at most this many pixels (in mask coordinates) are not candidates. Default 100. */
  minArea?: number;
  /** Crops per encoder run. Default 32. */
  batchSize?: number;
  /** Cut texts over CLIP's 77 tokens instead of refusing them. Default false. */
  truncate?: boolean;
}

/** Which detection best matches each text, with the scores of every candidate. */
export interface TextSelection {
  /** The chosen detection (index into the result) for the first text; -1 when no mask is a candidate. */
  index: number;
  /** The chosen detection for each text. */
  indices: number[];
  /** For each text, one probability per candidate (softmax over candidates), aligned to candidateIndices. */
  scores: Float32Array[];
  /** The detections that were scored, in result order. */
  candidateIndices: number[];
}

export const DEFAULT_MIN_AREA = 100;

function checkTexts(texts: unknown): string[] {
  const list = typeof texts === 'string' ? [texts] : texts;
  if (!Array.isArray(list) || list.length === 0 || !list.every((t) => typeof t === 'string')) {
    throw new FastSAMError('E_BAD_PROMPT', 'a text prompt is a string or a non-empty array of strings');
  }
  return list as string[];
}

function checkOptions(options: SelectByTextOptions): { crop: CropMode; minArea: number; batchSize: number } {
  const crop = options.crop ?? 'reference';
  if (crop !== 'reference' && crop !== 'masked')
    throw new FastSAMError('E_BAD_OPTION', `crop must be 'reference' or 'masked', got ${String(crop)}`);
  const minArea = options.minArea ?? DEFAULT_MIN_AREA;
  if (typeof minArea !== 'number' || !Number.isFinite(minArea) || minArea < 0) {
    throw new FastSAMError('E_BAD_OPTION', `minArea must be a finite number >= 0, got ${String(minArea)}`);
  }
  return { crop, minArea, batchSize: checkBatch(options.batchSize ?? DEFAULT_BATCH) };
}

function checkImage(image: RawRgb, result: Result): void {
  const [h0, w0] = result.origShape;
  const { rgb, width, height } = image ?? ({} as Partial<RawRgb>);
  if (!(rgb instanceof Uint8Array) || rgb.length !== width * height * 3) {
    throw new FastSAMError('E_BAD_SOURCE', 'the image must be { rgb: Uint8Array of width*height*3 bytes, width, height }');
  }
  if (width !== w0 || height !== h0) {
    throw new FastSAMError(
      'E_BAD_SOURCE',
      `the image is ${width}x${height} but the result is for a ${w0}x${h0} image: pass the image the result came from`,
    );
  }
}

/** Fills preprocessed crops into alternating batch buffers and encodes each full one while the next fills. */
class BatchEncoder {
  private readonly plane: number;
  private readonly buffers: Float32Array[] = [];
  private current = 0;
  private slots = 0;
  private inFlight: Promise<void> = Promise.resolve();
  readonly embeddings: Float32Array[] = [];

  constructor(
    private readonly scorer: ClipScorer,
    private readonly batchSize: number,
  ) {
    this.plane = 3 * scorer.imageSize * scorer.imageSize;
  }

  /** Adds `count` preprocessed crops (count x 3 x size x size floats), encoding every batch that fills. */
  async add(crops: Float32Array, count: number): Promise<void> {
    for (let k = 0; k < count; k++) {
      this.buffers[this.current] ??= new Float32Array(this.batchSize * this.plane);
      this.buffers[this.current].set(crops.subarray(k * this.plane, (k + 1) * this.plane), this.slots * this.plane);
      this.slots++;
      if (this.slots === this.batchSize) await this.flush();
    }
  }

  async flush(): Promise<void> {
    if (this.slots === 0) return this.inFlight;
    const buffer = this.buffers[this.current];
    const count = this.slots;
    await this.inFlight; // one run at a time keeps the embeddings in order and the other buffer free
    this.inFlight = this.scorer.encodePixels(buffer, count).then((rows) => {
      this.embeddings.push(...rows);
    });
    this.current = 1 - this.current;
    this.slots = 0;
  }

  /** Waits for the run in flight, whatever its outcome. */
  async settle(): Promise<void> {
    await this.inFlight.catch(() => undefined);
  }

  async finish(): Promise<Float32Array[]> {
    await this.flush();
    await this.inFlight;
    return this.embeddings;
  }
}

/** Scores every candidate mask of `result` against each text and picks the best per text. */
export async function selectByText(
  image: RawRgb,
  result: Result,
  texts: string | string[],
  scorer: ClipScorer,
  options: SelectByTextOptions = {},
): Promise<TextSelection> {
  const list = checkTexts(texts);
  const { crop, minArea, batchSize } = checkOptions(options);
  checkImage(image, result);
  const textEmbeddings = await scorer.encodeTexts(list, { truncate: options.truncate });

  const frame = result.masks.frame;
  const preprocessor = scorer.createPreprocessor();
  const encoder = new BatchEncoder(scorer, batchSize);
  const candidateIndices: number[] = [];
  try {
    for (let start = 0; start < result.length; start += batchSize) {
      const rows = Array.from({ length: Math.min(batchSize, result.length - start) }, (_, k) => start + k);
      const masks = await result.masks.all(rows); // a chunk at a time bounds the memory of big retina masks
      const { areas, bounds } = await measureMasks(masks);
      const kept = rows.flatMap((i, k) => (areas[k] > minArea ? [k] : []));
      candidateIndices.push(...kept.map((k) => rows[k]));
      if (crop === 'reference') {
        // Windows on one image: the image's own resize is kept and reused by every window.
        const windows = kept.map((k) => windowOfBounds(bounds.subarray(k * 4, k * 4 + 4), frame));
        if (windows.length > 0) await encoder.add(await preprocessor.run(image, windows, true), windows.length);
      } else {
        for (const k of kept) {
          const i = rows[k];
          const cut = maskedCrop(image, masks[k], result.boxes.xyxy.subarray(i * 4, i * 4 + 4), frame);
          await encoder.add(await preprocessor.run(cut, [[0, 0, cut.width, cut.height]]), 1);
        }
      }
    }
  } catch (error) {
    await encoder.settle(); // never leave a run in flight behind an error
    throw error;
  }
  const imageEmbeddings = await encoder.finish();

  const scores = textEmbeddings.map((text) => (imageEmbeddings.length ? softmaxScores(imageEmbeddings, text) : new Float32Array(0)));
  const indices = scores.map((s) => (s.length ? candidateIndices[argmax(s)] : -1));
  return { index: indices[0], indices, scores, candidateIndices };
}
