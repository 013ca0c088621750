/** A backend runs the network: a letterboxed float batch in, the two raw YOLOv8-seg outputs out. */

export interface RawTensor {
  data: Float32Array;
  dims: number[];
}

export interface RawOutputs {
  output0: RawTensor;
  output1: RawTensor;
}

export interface Backend {
  readonly name: 'cpu' | 'tensorrt';
  /** The input's dims as declared by the model (strings for dynamic axes). */
  readonly inputShape: ReadonlyArray<number | string>;
  run(batch: RawTensor): Promise<RawOutputs>;
  dispose(): Promise<void>;
}

export interface BackendOptions {
  /** Intra-op threads (ONNX Runtime). Default: the runtime's choice (one per core). */
  threads?: number;
}
