/** FastSAM.load() options: what each backend takes, and the checks run once before anything is loaded. */
import {
  checkBoolean,
  checkFunction,
  checkInteger,
  checkKnownKeys,
  checkNumber,
  checkOneOf,
  checkOptionsObject,
  checkString,
  invalid,
  is,
} from './check';
import { MAX_BATCH } from './limits';

/**
 * ONNX Runtime CPU threading, chosen for servers by default: intra-op threads = the available cores
 * divided among the workers, one inter-op thread, and no spin-waiting (spinning threads take the core
 * the JavaScript thread needs; see the README's event-loop table for the trade-off).
 */
export interface CpuThreadOptions {
  /** Intra-op threads per worker. Default: the available cores divided among the workers (at least 1). */
  threads?: number;
  /** Inter-op threads per worker (parallel branches of the graph). Default 1. */
  interOpThreads?: number;
  /** Let idle ONNX Runtime threads spin-wait for work: a little faster alone, worse beside a server. Default false. */
  spinning?: boolean;
  /** Inference worker threads, each with its own session (memory: one model copy each). Default 1. */
  workers?: number;
  /**
   * How much lower than the event loop the inference threads are scheduled, as a nice value 0 to 19
   * (0: the same priority). When both want a core the event loop gets it first, so a busy server still
   * answers in time; alone, inference runs as fast. Linux only (elsewhere ignored). Default 10.
   */
  nice?: number;
}

/** Options of the 'tensorrt' backend (ignored by the CPU backend). */
export interface TensorRtOptions {
  /** CUDA device index. Default 0. */
  device?: number;
  /** Default 'fp16' (TensorRT 10 builder flag; TensorRT 11 needs an FP16 ONNX for it). */
  precision?: 'fp16' | 'fp32';
  /** Largest batch per engine run (a static-batch export fixes it). Default 1. */
  maxBatch?: number;
  /** Where engines and the timing cache are kept. Default $FASTSAM_HOME/engines (~/.cache/fastsam-node/engines). */
  engineCacheDir?: string;
  /**
   * Engine build progress. Default: a line per stage on stderr, since a first build takes minutes; pass
   * `() => {}` to silence it.
   */
  onProgress?: (stage: string, fraction: number) => void;
}

/** Which backend runs the model: 'cpu', 'tensorrt' (NVIDIA GPUs), or 'auto' (TensorRT when it loads, else the CPU). */
export type BackendName = 'cpu' | 'tensorrt' | 'auto';

export interface BackendOptions extends CpuThreadOptions, TensorRtOptions {
  /**
   * 'cpu' (ONNX Runtime, default), 'tensorrt' (NVIDIA GPUs: E_BACKEND_UNAVAILABLE, listing what is missing,
   * when it cannot run), or 'auto' (TensorRT when it loads, else the CPU with a warning saying why). The
   * thread options apply to the CPU, the GPU options (device, precision, maxBatch, ...) to TensorRT.
   */
  backend?: BackendName;
}

/** Triton-style dynamic batching across concurrent predict() calls (lib/pipeline/dispatcher.ts). */
export interface DynamicBatchingOptions {
  /** Most images in one run. Default: the backend's largest batch, at most 8. */
  maxBatch?: number;
  /** How long the oldest waiting image may wait for company, in ms. Default 2. */
  maxQueueDelayMs?: number;
  /** Batch sizes sent as soon as they are reached (e.g. a TensorRT engine's sizes). Default [maxBatch]. */
  preferredBatchSizes?: number[];
  /** Most images waiting; past it predict() rejects with E_OVERLOADED. Default 256. */
  maxQueue?: number;
}

/** Dynamic batching, resolved. */
export interface Batching {
  maxBatch: number;
  maxQueueDelayMs: number;
  /** Largest first. */
  preferred: number[];
  maxQueue: number;
}

const DEFAULT_DYNAMIC_MAX_BATCH = 8;

/**
 * @param backendMaxBatch the most images one backend run takes: a larger maxBatch is clamped to it (a
 *   model that takes one image per run shares no runs, but its queue is still bounded).
 */
export function resolveDynamicBatching(options: true | DynamicBatchingOptions, backendMaxBatch: number): Batching {
  const given = options === true ? {} : options;
  checkKnownKeys('dynamicBatching option', given, ['maxBatch', 'maxQueueDelayMs', 'preferredBatchSizes', 'maxQueue']);
  const asked = checkInteger('dynamicBatching.maxBatch', given.maxBatch ?? DEFAULT_DYNAMIC_MAX_BATCH, 1, MAX_BATCH);
  const maxBatch = Math.min(asked, backendMaxBatch);
  const preferred = given.preferredBatchSizes ?? [maxBatch];
  if (!Array.isArray(preferred) || preferred.length === 0 || !preferred.every((n) => Number.isInteger(n) && n >= 1 && n <= asked)) {
    invalid('dynamicBatching.preferredBatchSizes', `a non-empty array of integers in [1, ${asked}]`, preferred);
  }
  const fitting = preferred.filter((n) => n <= maxBatch);
  return {
    maxBatch,
    maxQueueDelayMs: checkNumber('dynamicBatching.maxQueueDelayMs', given.maxQueueDelayMs ?? 2, 0, 60_000),
    preferred: fitting.length > 0 ? [...new Set(fitting)].sort((a, b) => b - a) : [maxBatch],
    maxQueue: checkInteger('dynamicBatching.maxQueue', given.maxQueue ?? 256, 1, 1_000_000),
  };
}

export interface LoadOptions extends BackendOptions {
  /** Force FastSAM semantics on or off; default: on for one-class models. */
  fastsam?: boolean;
  /**
   * Run concurrent predict() calls as shared batches (Triton-style dynamic batching): `true` for the
   * defaults, or the knobs. Off by default; servers and queue workers turn it on.
   */
  dynamicBatching?: boolean | DynamicBatchingOptions;
  /**
   * For a checkpoint (`FastSAM-s.pt`, or a bare name looked up in the cache and downloaded): the size to
   * export the ONNX at (default: the checkpoint's), or a dynamic export. Exports are cached by content.
   */
  export?: {
    /** The export's input size: one side for a square, or [height, width]. Default: the checkpoint's training size. */
    imgsz?: number | [number, number];
    /** Export with dynamic batch and image size instead of a fixed input. Default false. */
    dynamic?: boolean;
  };
}

const LOAD_KEYS = [
  'backend',
  'threads',
  'interOpThreads',
  'spinning',
  'nice',
  'workers',
  'device',
  'precision',
  'maxBatch',
  'engineCacheDir',
  'onProgress',
  'fastsam',
  'dynamicBatching',
  'export',
] as const;

const MAX_THREADS = 1024;
/** Each worker holds its own copy of the model: more than a few is a memory bug, not a setting. */
const MAX_WORKERS = 64;

export function checkLoadOptions(value: unknown): LoadOptions {
  const options = checkOptionsObject('load options', value) as LoadOptions;
  checkKnownKeys('load option', options, LOAD_KEYS);
  if (options.backend !== undefined) checkOneOf('backend', options.backend, ['cpu', 'tensorrt', 'auto'] as const);
  if (options.threads !== undefined) checkInteger('threads', options.threads, 1, MAX_THREADS);
  if (options.interOpThreads !== undefined) checkInteger('interOpThreads', options.interOpThreads, 1, MAX_THREADS);
  if (options.spinning !== undefined) checkBoolean('spinning', options.spinning);
  if (options.nice !== undefined) checkInteger('nice', options.nice, 0, 19);
  if (options.workers !== undefined) checkInteger('workers', options.workers, 1, MAX_WORKERS);
  if (options.device !== undefined) checkInteger('device', options.device, 0, 1023);
  if (options.precision !== undefined) checkOneOf('precision', options.precision, ['fp16', 'fp32'] as const);
  if (options.maxBatch !== undefined) checkInteger('maxBatch', options.maxBatch, 1, MAX_BATCH);
  if (options.engineCacheDir !== undefined) checkString('engineCacheDir', options.engineCacheDir);
  if (options.onProgress !== undefined) checkFunction('onProgress', options.onProgress);
  if (options.fastsam !== undefined) checkBoolean('fastsam', options.fastsam);
  if (options.dynamicBatching !== undefined && !is.bool(options.dynamicBatching) && !is.plainObject(options.dynamicBatching)) {
    invalid('dynamicBatching', 'true, false or { maxBatch, maxQueueDelayMs, preferredBatchSizes, maxQueue }', options.dynamicBatching);
  }
  if (options.export !== undefined && !is.plainObject(options.export)) invalid('export', 'an object { imgsz, dynamic }', options.export);
  return options;
}
