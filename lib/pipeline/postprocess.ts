/**
 * Raw YOLOv8-seg outputs to Results: NMS, FastSAM's full-image box, scale_boxes (native, off the JS
 * thread) and lazy masks. Public, so any runtime's outputs can be post-processed ("bring your own
 * inference"); predict() uses it too.
 */
import type { RawOutputs } from '../backends/pipeline';
import type { ImageSource } from '../io/image';
import { Boxes } from '../masks/boxes';
import { FastSAMError } from '../errors';
import { LazyMaskStore, Masks } from '../masks/masks';
import { native } from '../native';
import { Result, type Speed } from '../masks/result';

/** What decides the detections and their masks: shared by predict() and postprocess(). */
export interface DetectionOptions {
  /** Confidence threshold (strictly greater). Default 0.4 for FastSAM, 0.25 for YOLOv8-seg. */
  conf?: number;
  /** NMS IoU threshold. Default 0.9 for FastSAM, 0.7 for YOLOv8-seg. */
  iou?: number;
  maxDet?: number;
  /** Masks at the original image size (process_mask_native) instead of the letterboxed input size. */
  retinaMasks?: boolean;
  agnosticNms?: boolean;
  /** Keep only these class indices. */
  classes?: number[];
}

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

export interface ThresholdDefaults {
  conf: number;
  iou: number;
  retinaMasks: boolean;
}

/** FastSAM's documented recipe, and Ultralytics' defaults for plain YOLOv8-seg. */
export const FASTSAM_DEFAULTS: ThresholdDefaults = { conf: 0.4, iou: 0.9, retinaMasks: true };
export const YOLO_DEFAULTS: ThresholdDefaults = { conf: 0.25, iou: 0.7, retinaMasks: false };

function badOption(message: string): never {
  throw new FastSAMError('E_BAD_OPTION', message);
}

export function checkUnitInterval(name: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) {
    badOption(`${name} must be a number in [0, 1], got ${String(value)}`);
  }
  return value;
}

export function checkMaxDet(value: number): number {
  if (!Number.isInteger(value) || value < 1 || value > 30000) {
    badOption(`maxDet must be an integer in [1, 30000], got ${String(value)}`);
  }
  return value;
}

function checkOutputs(outputs: RawOutputs): { batch: number; rows: number; anchors: number; nm: number; ph: number; pw: number } {
  const { output0, output1 } = outputs;
  if (!output0 || !output1 || !(output0.data instanceof Float32Array) || !(output1.data instanceof Float32Array)) {
    throw new FastSAMError('E_BAD_OPTION', 'outputs must be { output0, output1 } with Float32Array data');
  }
  const d0 = output0.dims;
  const d1 = output1.dims;
  if (d0.length !== 3 || d1.length !== 4 || d0[0] !== d1[0]) {
    throw new FastSAMError(
      'E_MODEL_FORMAT',
      `expected output0 [B,4+nc+nm,N] and output1 [B,nm,H/4,W/4]; got [${d0.join(',')}] and [${d1.join(',')}]`,
    );
  }
  const size = (dims: number[]) => dims.reduce((a, b) => a * b, 1);
  if (output0.data.length !== size(d0) || output1.data.length !== size(d1)) {
    throw new FastSAMError('E_MODEL_FORMAT', 'output data length does not match its dims');
  }
  return { batch: d0[0], rows: d0[1], anchors: d0[2], nm: d1[1], ph: d1[2], pw: d1[3] };
}

function checkShape(name: string, shape: unknown): [number, number] {
  if (!Array.isArray(shape) || shape.length !== 2 || !shape.every((v) => Number.isInteger(v) && v > 0)) {
    badOption(`${name} must be [height, width] with positive integers, got ${JSON.stringify(shape)}`);
  }
  return [shape[0], shape[1]];
}

export async function postprocess(outputs: RawOutputs, options: PostprocessOptions): Promise<Result[]> {
  const started = performance.now();
  const { batch, rows, anchors, nm, ph, pw } = checkOutputs(outputs);
  const nc = rows - 4 - nm;
  if (nc < 1) throw new FastSAMError('E_MODEL_FORMAT', `output0 has ${rows} rows: too few for ${nm} mask coefficients`);
  const [inputH, inputW] = checkShape('inputShape', options.inputShape.slice(-2));
  const origShapes = Array.isArray(options.origShape[0])
    ? (options.origShape as Array<[number, number]>).map((s) => checkShape('origShape', s))
    : Array.from({ length: batch }, () => checkShape('origShape', options.origShape));
  if (origShapes.length !== batch) badOption(`origShape has ${origShapes.length} entries for a batch of ${batch}`);

  const task = options.task ?? (nc === 1 ? 'fastsam' : 'segment');
  const defaults = task === 'fastsam' ? FASTSAM_DEFAULTS : YOLO_DEFAULTS;
  const conf = checkUnitInterval('conf', options.conf ?? defaults.conf);
  const iou = checkUnitInterval('iou', options.iou ?? defaults.iou);
  const maxDet = checkMaxDet(options.maxDet ?? 300);
  const retina = options.retinaMasks ?? defaults.retinaMasks;
  const names = options.names ?? Object.fromEntries(Array.from({ length: nc }, (_, i) => [i, nc === 1 ? 'object' : String(i)]));

  const perImage0 = rows * anchors;
  const perImage1 = nm * ph * pw;
  const results = await Promise.all(
    origShapes.map(async ([origH, origW], b) => {
      const detections = await native().detect(outputs.output0.data.subarray(b * perImage0, (b + 1) * perImage0), {
        rows,
        anchors,
        nc,
        conf,
        iou,
        agnostic: options.agnosticNms ?? false,
        maxDet,
        ...(options.classes ? { classes: options.classes } : {}),
        fullImageBox: task === 'fastsam',
        inputHeight: inputH,
        inputWidth: inputW,
        origHeight: origH,
        origWidth: origW,
      });
      const masks = new Masks(
        new LazyMaskStore({
          protos: outputs.output1.data.subarray(b * perImage1, (b + 1) * perImage1),
          nm,
          protoHeight: ph,
          protoWidth: pw,
          coef: detections.coef,
          cropBoxes: retina ? detections.boxes : detections.inputBoxes,
          mode: retina ? 'native' : 'letterbox',
          inputHeight: inputH,
          inputWidth: inputW,
          maskHeight: retina ? origH : inputH,
          maskWidth: retina ? origW : inputW,
        }),
        Uint32Array.from({ length: detections.conf.length }, (_, i) => i),
        [origH, origW],
      );
      const boxes = new Boxes(detections.boxes, detections.conf, detections.cls, [origH, origW]);
      return { boxes, masks, origShape: [origH, origW] as [number, number], path: options.paths?.[b], source: options.sources?.[b] };
    }),
  );
  const postMs = (performance.now() - started) / batch;
  const speed: Speed = {
    preprocess: options.speed?.preprocess ?? 0,
    inference: options.speed?.inference ?? 0,
    postprocess: postMs,
  };
  return results.map((r) => new Result(r.origShape, names, r.boxes, r.masks, { ...speed }, r.path, r.source));
}
