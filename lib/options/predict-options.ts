/**
 * Predict options resolved once: defaults applied and every value checked, for predict(), stream(), the
 * public postprocess(), the CLI, the server and the queue workers alike. What comes out is complete; the
 * layers below read it and never default or re-check it (the native side keeps only its own range checks).
 */
import { checkBoolean, checkInteger, checkIntegerList, checkKnownKeys, checkOptionsObject, checkUnitInterval, invalid } from './check';
import { DEFAULT_MAX_PIXELS, MAX_BATCH, MAX_CLASSES, MAX_DETECTIONS, MAX_IMGSZ } from './limits';

/** What decides the detections and their masks: shared by predict() and postprocess(). */
export interface DetectionOptions {
  /** Confidence threshold (strictly greater). Default 0.4 for FastSAM, 0.25 for YOLOv8-seg. */
  conf?: number;
  /** NMS IoU threshold. Default 0.9 for FastSAM, 0.7 for YOLOv8-seg. */
  iou?: number;
  /** Most detections kept per image. Default 300. */
  maxDet?: number;
  /** Masks at the original image size (process_mask_native) instead of the letterboxed input size. */
  retinaMasks?: boolean;
  /** NMS across classes (multi-class models). Default false. */
  agnosticNms?: boolean;
  /** Keep only these class indices. */
  classes?: number[];
}

export interface PredictOptions extends DetectionOptions {
  /** Input size; fixed by a static export, free (rounded up to the stride) for a dynamic one. */
  imgsz?: number | [number, number];
  /** Images with more pixels are refused before decoding. Default 16383². */
  maxPixels?: number;
  /** Images per network run. Default: the backend's best (1 on the CPU, the engine's batch on TensorRT). */
  batch?: number;
  /** Abandons the request: it rejects with E_ABORTED (work already on the network finishes unseen). */
  signal?: AbortSignal;
}

/**
 * A model family's default thresholds.
 * @inline
 */
export interface ThresholdDefaults {
  /** Confidence threshold. */
  conf: number;
  /** NMS IoU threshold. */
  iou: number;
  /** Masks at the original image size. */
  retinaMasks: boolean;
}

/** FastSAM's documented recipe (conf 0.4, iou 0.9, retina masks): the defaults for one-class models. */
export const FASTSAM_DEFAULTS: Readonly<ThresholdDefaults> = Object.freeze({ conf: 0.4, iou: 0.9, retinaMasks: true });
/** Ultralytics' defaults for plain YOLOv8-seg models: conf 0.25, iou 0.7, letterboxed masks. */
export const YOLO_DEFAULTS: Readonly<ThresholdDefaults> = Object.freeze({ conf: 0.25, iou: 0.7, retinaMasks: false });
export const DEFAULT_MAX_DET = 300;

export interface ResolvedDetectionOptions {
  conf: number;
  iou: number;
  maxDet: number;
  retinaMasks: boolean;
  agnosticNms: boolean;
  classes: number[] | null;
  /** FastSAM's full-image-box step (spec 3.2): FastSAM models only. */
  fullImageBox: boolean;
}

export interface ResolvedPredictOptions extends ResolvedDetectionOptions {
  /** [height, width] of the network input. */
  inputSize: [number, number];
  maxPixels: number;
  batch: number;
  signal?: AbortSignal;
}

export const DETECTION_OPTION_KEYS = ['conf', 'iou', 'maxDet', 'retinaMasks', 'agnosticNms', 'classes'] as const;
export const PREDICT_OPTION_KEYS = [...DETECTION_OPTION_KEYS, 'imgsz', 'maxPixels', 'batch', 'signal'] as const;

/** Detection options with the defaults of the task ('fastsam' applies the full-image-box step). */
export function resolveDetectionOptions(options: DetectionOptions, task: 'fastsam' | 'segment'): ResolvedDetectionOptions {
  const defaults = task === 'fastsam' ? FASTSAM_DEFAULTS : YOLO_DEFAULTS;
  return {
    conf: checkUnitInterval('conf', options.conf ?? defaults.conf),
    iou: checkUnitInterval('iou', options.iou ?? defaults.iou),
    maxDet: checkInteger('maxDet', options.maxDet ?? DEFAULT_MAX_DET, 1, MAX_DETECTIONS),
    retinaMasks: checkBoolean('retinaMasks', options.retinaMasks ?? defaults.retinaMasks),
    agnosticNms: checkBoolean('agnosticNms', options.agnosticNms ?? false),
    classes: options.classes === undefined ? null : checkIntegerList('classes', options.classes, 0, MAX_CLASSES - 1, MAX_CLASSES),
    fullImageBox: task === 'fastsam',
  };
}

/** What a model offers that options are resolved against. */
export interface PredictTarget {
  /** What the model declares (lib/pipeline/contract.ts). */
  contract: { stride: number; imgsz: [number, number]; isFastSAM: boolean };
  /** The input size the backend is fixed to (static export, TensorRT engine), else null. */
  fixedInputSize: [number, number] | null;
  /** Images per run when the caller does not say. */
  preferredBatch: number;
  /** The most images one run takes. */
  maxBatch: number;
}

/** Like Ultralytics' check_imgsz: each side rounded up to a multiple of the stride. */
function resolveInputSize(imgsz: unknown, target: PredictTarget): [number, number] {
  const { stride, imgsz: declared } = target.contract;
  const fixed = target.fixedInputSize;
  if (imgsz === undefined) return fixed ?? declared;
  const pair = typeof imgsz === 'number' ? [imgsz, imgsz] : imgsz;
  if (!Array.isArray(pair) || pair.length !== 2) invalid('imgsz', 'a number or [height, width]', imgsz);
  const size = pair.map((side) => Math.ceil(checkInteger('imgsz', side, 1, MAX_IMGSZ) / stride) * stride) as [number, number];
  if (fixed && (size[0] !== fixed[0] || size[1] !== fixed[1])) {
    invalid('imgsz', `${fixed.join('x')} (this model was exported with a fixed input; other sizes need a dynamic export)`, imgsz);
  }
  return size;
}

export function resolvePredictOptions(options: PredictOptions | undefined, target: PredictTarget): ResolvedPredictOptions {
  const given = checkOptionsObject('predict options', options) as PredictOptions;
  checkKnownKeys('predict option', given, PREDICT_OPTION_KEYS);
  if (given.signal !== undefined && !(given.signal instanceof AbortSignal)) invalid('signal', 'an AbortSignal', given.signal);
  return {
    ...resolveDetectionOptions(given, target.contract.isFastSAM ? 'fastsam' : 'segment'),
    inputSize: resolveInputSize(given.imgsz, target),
    maxPixels: checkInteger('maxPixels', given.maxPixels ?? DEFAULT_MAX_PIXELS, 1, Number.MAX_SAFE_INTEGER),
    batch: Math.min(checkInteger('batch', given.batch ?? target.preferredBatch, 1, MAX_BATCH), target.maxBatch),
    ...(given.signal ? { signal: given.signal } : {}),
  };
}
