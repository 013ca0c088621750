/**
 * Raw YOLOv8-seg outputs to Results, for outputs of any runtime ("bring your own inference"): the CPU
 * pipeline's own detection step (NMS, FastSAM's full-image box, scale_boxes, natively) and lazy masks.
 */
import { detectOutputs, readOutputLayout } from '../backends/cpu/detect-outputs';
import type { RawOutputs } from '../backends/pipeline';
import type { ImageSource } from '../io/image';
import { Boxes } from '../masks/boxes';
import { Masks } from '../masks/masks';
import { Result, type Speed } from '../masks/result';
import { checkKnownKeys, checkOptionsObject, checkSize, invalid } from '../options/check';
import { MAX_IMGSZ } from '../options/limits';
import { DETECTION_OPTION_KEYS, type DetectionOptions, resolveDetectionOptions } from '../options/predict-options';

export interface PostprocessOptions extends DetectionOptions {
  /** The letterboxed network input: [H, W] or the tensor dims [B, 3, H, W]. */
  inputShape: number[];
  /** [H0, W0] of the original image, or one per image of the batch. */
  origShape: [number, number] | Array<[number, number]>;
  /** 'fastsam' applies the full-image-box step (spec 3.2); 'segment' is plain YOLOv8-seg. Default: 'fastsam' when nc = 1. */
  task?: 'fastsam' | 'segment';
  /** Class names; default { 0: 'object' } for one class, else the indices. */
  names?: Record<number, string>;
  /** File paths per image, carried into Result.path. */
  paths?: Array<string | undefined>;
  /** The images, kept in each Result for plot(). */
  sources?: ImageSource[];
  /** Per-image timings already spent (preprocess, inference), carried into Result.speed. */
  speed?: Partial<Speed>;
}

const POSTPROCESS_KEYS = [...DETECTION_OPTION_KEYS, 'inputShape', 'origShape', 'task', 'names', 'paths', 'sources', 'speed'];

function origShapes(value: unknown, batch: number): Array<[number, number]> {
  if (!Array.isArray(value)) invalid('origShape', '[height, width] or one per image', value);
  const shapes = Array.isArray(value[0])
    ? value.map((s) => checkSize('origShape', s, Number.MAX_SAFE_INTEGER))
    : [checkSize('origShape', value, Number.MAX_SAFE_INTEGER)];
  if (shapes.length === 1 && batch > 1) return Array.from({ length: batch }, () => shapes[0]);
  if (shapes.length !== batch) invalid('origShape', `one [height, width] per image of the batch of ${batch}`, value);
  return shapes;
}

/**
 * Raw YOLOv8-seg outputs of any runtime to Results (bring your own inference): NMS, FastSAM's full-image box step, boxes mapped
 * to the original images, masks lazily. Throws E_BAD_OPTION for bad options and E_MODEL_FORMAT for outputs of the wrong shape.
 */
export async function postprocess(outputs: RawOutputs, options: PostprocessOptions): Promise<Result[]> {
  const started = performance.now();
  const given = checkOptionsObject('postprocess options', options) as unknown as PostprocessOptions;
  checkKnownKeys('postprocess option', given, POSTPROCESS_KEYS);
  const layout = readOutputLayout(outputs);
  if (!Array.isArray(given.inputShape)) invalid('inputShape', '[height, width] or [B, 3, H, W]', given.inputShape);
  const inputSize = checkSize('inputShape', given.inputShape.slice(-2), MAX_IMGSZ);
  const shapes = origShapes(given.origShape, layout.batch);
  const task = given.task ?? (layout.nc === 1 ? 'fastsam' : 'segment');
  if (task !== 'fastsam' && task !== 'segment') invalid('task', "'fastsam' or 'segment'", task);
  const request = { ...resolveDetectionOptions(given, task), inputSize };
  const names = given.names ?? Object.fromEntries(Array.from({ length: layout.nc }, (_, i) => [i, layout.nc === 1 ? 'object' : String(i)]));

  const detections = await detectOutputs(outputs, layout, request, shapes);
  const postMs = (performance.now() - started) / layout.batch;
  const speed: Speed = { preprocess: given.speed?.preprocess ?? 0, inference: given.speed?.inference ?? 0, postprocess: postMs };
  return detections.map((found, b) => {
    const boxes = new Boxes(found.boxes, found.conf, found.cls, found.origShape);
    const masks = new Masks(
      found.masks,
      Uint32Array.from({ length: found.conf.length }, (_, i) => i),
      found.origShape,
    );
    return new Result(found.origShape, names, boxes, masks, { ...speed }, given.paths?.[b], given.sources?.[b]);
  });
}
