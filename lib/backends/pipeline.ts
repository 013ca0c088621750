/**
 * The one interface every backend implements: decoded images in, per-image detections plus a mask store
 * out. The CPU pipeline letterboxes natively, runs ONNX Runtime on worker threads and detects natively;
 * the TensorRT pipeline does all of it on the GPU. FastSAM (lib/pipeline/) only schedules: batching,
 * streaming, dynamic batching and dispose.
 */
import type { DecodedImage } from '../io/image';
import type { MaskStore } from '../masks/masks';
import type { ResolvedDetectionOptions } from '../options/predict-options';

/** A float tensor as ONNX Runtime gives it: row-major data and its dimensions. */
export interface RawTensor {
  /** The values, row-major. */
  data: Float32Array;
  /** The shape, outermost first. */
  dims: number[];
}

/** The two raw YOLOv8-seg outputs: output0 [B, 4+nc+nm, N] and output1 [B, nm, H/4, W/4]. */
export interface RawOutputs {
  /** Detections: [B, 4 + nc + nm, N] (box xywh, class scores, mask coefficients per anchor). */
  output0: RawTensor;
  /** Mask prototypes: [B, nm, H/4, W/4]. */
  output1: RawTensor;
}

/** One run's request: every value resolved (lib/options/predict-options.ts). */
export interface PipelineRequest extends ResolvedDetectionOptions {
  /** [height, width] of the network input. */
  inputSize: [number, number];
}

/** One image's answer, in original-image pixels; masks stay lazy in the store. */
export interface ImageDetections {
  origShape: [number, number];
  /** n x 4 xyxy. */
  boxes: Float32Array;
  conf: Float32Array;
  cls: Float32Array;
  masks: MaskStore;
}

/**
 * Milliseconds spent on the whole batch, by stage.
 * @inline
 */
export interface StageTimes {
  /** Letterboxing and normalising the batch (decoding the images is not counted here). */
  preprocess: number;
  /** The network. */
  inference: number;
  /** Detection (decoding boxes, NMS); masks are rendered later, on request. */
  postprocess: number;
}

export interface PipelineRun {
  images: ImageDetections[];
  times: StageTimes;
}

/**
 * How a CPU backend runs ONNX Runtime, as resolved.
 * @inline
 */
export interface CpuThreading {
  /** Inference worker threads, each with its own session. */
  workers: number;
  /** ONNX Runtime intra-op threads per worker. */
  intraOp: number;
  /** ONNX Runtime inter-op threads per worker. */
  interOp: number;
  /** Whether idle ONNX Runtime threads spin-wait. */
  spinning: boolean;
  /** How much lower than the event loop inference threads are scheduled (0 where not applied: not Linux). */
  nice: number;
}

export interface Pipeline {
  readonly name: 'cpu' | 'tensorrt';
  /** The input size the backend is fixed to (a static export, a built engine), else null. */
  readonly fixedInputSize: [number, number] | null;
  /** The most images one run takes. */
  readonly maxBatch: number;
  /** Images per run when the caller does not choose: what this backend runs fastest. */
  readonly preferredBatch: number;
  /** Runs that make progress side by side (CPU worker threads, GPU lanes); more queue inside the backend. */
  readonly concurrency: number;
  /** The CPU threading as resolved (CPU backends only). */
  readonly threading?: CpuThreading;
  /** Runs the whole pipeline on up to maxBatch decoded images. */
  run(images: DecodedImage[], request: PipelineRequest): Promise<PipelineRun>;
  /** Waits for runs in flight, then frees the runtime (threads, sessions, GPU memory). */
  dispose(): Promise<void>;
}
