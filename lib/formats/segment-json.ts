/**
 * The segment answer: one image's detections as plain JSON with every mask as a compressed COCO RLE.
 * What `POST /v1/segment` answers, what the web demo reads, and what queue workers store:
 *
 *   { "image": { "width", "height" },
 *     "detections": [ { "box": [x1, y1, x2, y2], "score", "class", "name", "mask": { "size": [h, w], "counts" } } ],
 *     "speed": { "preprocess", "inference", "postprocess", ... } }
 *
 * Boxes and scores are the float32 values of the Result, unrounded, so a client gets exactly what
 * predict() gives. Masks are at the mask size (the image with retina masks, else the letterboxed input):
 * `size` says which. Encoding hundreds of noisy masks is main-thread work (compressing ~6 M runs takes
 * hundreds of milliseconds), so it is done in slices that give the event loop back between them: a
 * server stays live and a queue worker keeps renewing its locks while a big answer is built.
 */
import { FastSAMError } from '../errors';
import type { RLE } from '../masks/mask';
import type { Result } from '../masks/result';
import type { SegmentAnswer, SegmentDetection } from './segment-answer';
import { compressRle, type CompressedRLE } from './coco';

export type { SegmentAnswer, SegmentDetection, SegmentMask } from './segment-answer';

/**
 * Options of toSegmentJSON.
 * @inline
 */
export interface SegmentJsonOptions {
  /** Leave masks out (boxes only). Default true (masks in). */
  masks?: boolean;
  /** Masks to encode instead of the Result's own (e.g. refined ones), one per detection. */
  rles?: RLE[];
  /** Stage times to add to `speed`, in milliseconds. */
  speed?: Record<string, number>;
  /** Stops encoding between slices, rejecting with E_ABORTED. */
  signal?: AbortSignal;
  /** RLE runs compressed between two yields to the event loop. Default 65536 (~5 ms). */
  runsPerSlice?: number;
}

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new FastSAMError('E_ABORTED', 'the request was abandoned while its answer was encoded');
}

/** Compresses RLEs in slices of about `runsPerSlice` runs, yielding to the event loop between slices. */
export async function compressRles(rles: RLE[], runsPerSlice = 65536, signal?: AbortSignal): Promise<CompressedRLE[]> {
  const out: CompressedRLE[] = [];
  let runs = 0;
  for (const rle of rles) {
    out.push(compressRle(rle));
    runs += rle.counts.length;
    if (runs >= runsPerSlice) {
      runs = 0;
      await yieldToLoop();
      checkAborted(signal);
    }
  }
  return out;
}

/** A Result as the segment answer (see the file comment). */
export async function toSegmentJSON(result: Result, options: SegmentJsonOptions = {}): Promise<SegmentAnswer> {
  const { xyxy, conf, cls } = result.boxes;
  let masks: CompressedRLE[] | undefined;
  if (options.masks !== false) {
    const rles = options.rles ?? (await result.masks.toRLE());
    if (rles.length !== result.length) {
      throw new FastSAMError('E_BAD_OPTION', `rles must hold one mask per detection (${result.length}), got ${rles.length}`);
    }
    checkAborted(options.signal);
    masks = await compressRles(rles, options.runsPerSlice, options.signal);
  }
  const detections = Array.from({ length: result.length }, (_, i): SegmentDetection => {
    const detection: SegmentDetection = {
      box: [xyxy[i * 4], xyxy[i * 4 + 1], xyxy[i * 4 + 2], xyxy[i * 4 + 3]],
      score: conf[i],
      class: cls[i],
      name: result.names[cls[i]] ?? String(cls[i]),
    };
    if (masks) detection.mask = masks[i];
    return detection;
  });
  const [height, width] = result.origShape;
  const answer: SegmentAnswer = { image: { width, height }, detections, speed: { ...result.speed, ...options.speed } };
  const { frame } = result.masks;
  if (masks && (frame.shape[0] !== height || frame.shape[1] !== width)) {
    answer.frame = { gain: frame.gain, padX: frame.padX, padY: frame.padY };
  }
  return answer;
}
