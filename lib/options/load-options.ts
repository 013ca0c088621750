/** FastSAM.load() options, checked once before anything is loaded. */
import type { BackendOptions } from '../backends/load';
import type { DynamicBatchingOptions } from '../pipeline/dispatcher';
import {
  checkBoolean,
  checkFunction,
  checkInteger,
  checkKnownKeys,
  checkOneOf,
  checkOptionsObject,
  checkString,
  invalid,
  is,
} from './check';
import { MAX_BATCH } from './limits';

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
  export?: { imgsz?: number | [number, number]; dynamic?: boolean };
}

const LOAD_KEYS = [
  'backend',
  'threads',
  'interOpThreads',
  'spinning',
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
