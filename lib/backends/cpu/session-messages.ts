/** What the main thread and an inference worker (session-worker.ts) say to each other. */

/** A tensor as it crosses threads: its buffer is transferred, never copied. */
export interface WireTensor {
  type: 'float32' | 'int64' | 'int32' | 'uint8' | 'bool';
  data: Float32Array | BigInt64Array | Int32Array | Uint8Array;
  dims: number[];
}

export type WireTensors = Record<string, WireTensor>;

/** ONNX Runtime CPU session settings, resolved (see session-options.ts). */
export interface SessionSettings {
  intraOpNumThreads: number;
  interOpNumThreads: number;
  spinning: boolean;
  /** How much lower than the event loop the worker and its session's threads run (lib/threads/priority.ts). */
  nice: number;
}

/** Sent once, as workerData: the model bytes are shared (no copy per worker). */
export interface WorkerInit {
  model: Uint8Array;
  settings: SessionSettings;
}

/** What a loaded session declares. */
export interface SessionSignature {
  inputNames: string[];
  outputNames: string[];
  /** The first input's dims (strings for dynamic axes). */
  inputShape: Array<number | string>;
}

export type ToWorker = { type: 'run'; id: number; inputs: WireTensors } | { type: 'close' };

export type FromWorker =
  | ({ type: 'ready' } & SessionSignature)
  | { type: 'load-failed'; message: string }
  | { type: 'result'; id: number; outputs: WireTensors }
  | { type: 'run-failed'; id: number; message: string };

/** The buffers to transfer with a set of tensors. */
export function transferList(tensors: WireTensors): ArrayBuffer[] {
  return Object.values(tensors).map((t) => t.data.buffer as ArrayBuffer);
}
