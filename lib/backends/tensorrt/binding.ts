/**
 * The typed interface of the optional GPU addon (`fastsam_tensorrt.node`, native/binding/gpu/): the CUDA
 * pre/post-processing kernels, and the TensorRT engine when the addon was built against TensorRT.
 */
import type { DetectRequest, LetterboxGeometry, LetterboxRequest, NativeDetections } from '../../native';

/** A CUDA device the GPU addon can see. */
export interface GpuDevice {
  /** CUDA device index (the `device` load option). */
  index: number;
  /** The device name, e.g. "NVIDIA H200". */
  name: string;
  /** Major and minor compute capability, e.g. [9, 0]. */
  computeCapability: [number, number];
  /** Device memory in bytes. */
  totalMemory: number;
}

/** What the GPU addon finds on this machine: CUDA, its devices and TensorRT. */
export interface GpuProbe {
  /** CUDA runtime linked into the addon, e.g. "13.0". */
  cudaRuntime: string;
  /** The installed driver's CUDA version, or null without an NVIDIA driver (libcuda.so.1). */
  cudaDriver: string | null;
  /** The CUDA devices, by index; empty without a driver or a GPU. */
  devices: GpuDevice[];
  /** Why the devices could not be listed, if they could not. */
  error: string | null;
  /** The TensorRT library found at run time (libnvinfer.so.<major>), e.g. "10.13.3"; null when none is usable. */
  tensorrt: string | null;
  /** Why no TensorRT library is usable (every library tried and why), or null. */
  tensorrtError: string | null;
  /** TensorRT versions whose headers the addon was compiled against, one per major; empty for a kernels-only build. */
  tensorrtBuiltFor: string[];
}

/**
 * One image's detections (as the core addon's detect() gives them) and its masks cropped to their windows,
 * bit-packed: 8 pixels a byte, LSB first, rows byte-aligned, mask i's rows from packed[packedStarts[i]].
 * The core addon's unpackMasks() turns them into bytes.
 */
export interface GpuImageResult extends NativeDetections {
  /** n x [x, y, width, height] in mask coordinates. */
  windows: Int32Array;
  packedStarts: Float64Array;
  packed: Uint8Array;
}

export interface GpuPostprocessRequest extends Omit<DetectRequest, 'origHeight' | 'origWidth' | 'multiLabel'> {
  batch: number;
  nm: number;
  protoHeight: number;
  protoWidth: number;
  origShapes: Array<[number, number]>;
  /** 'native': retina masks at the original size; 'letterbox': at the input size. */
  mode: 'letterbox' | 'native';
  /** Assemble masks too (default true). */
  masks?: boolean;
  device?: number;
}

/** Milliseconds per stage, timed with CUDA events. */
export interface GpuStageTimes {
  upload?: number;
  letterbox?: number;
  inference?: number;
  detect: number;
  masks: number;
  /** The part of `masks` spent on the GPU uploading the windows and in the kernels. */
  masksKernels?: number;
  /** The part of `masks` spent copying the bit-packed masks back. */
  masksCopy?: number;
}

export interface GpuEngineInfo {
  inputShape: [number, number, number, number];
  maxBatch: number;
  /** The precision asked for; TensorRT 11 (or a GPU without fast FP16) may build FP32, and says so in the progress. */
  precision: 'fp16' | 'fp32';
  fromCache: boolean;
  tensorrt: string;
  device: number;
}

export interface GpuEnginePredictRequest extends Omit<
  GpuPostprocessRequest,
  'batch' | 'nm' | 'protoHeight' | 'protoWidth' | 'origShapes' | 'inputHeight' | 'inputWidth' | 'rows' | 'anchors' | 'device'
> {
  images: Array<{ rgb: Uint8Array; width: number; height: number }>;
}

export interface GpuEngine {
  info(): GpuEngineInfo;
  predict(request: GpuEnginePredictRequest): Promise<{ images: GpuImageResult[]; times: GpuStageTimes }>;
  dispose(): void;
}

export interface GpuEngineOptions {
  /** SHA-256 of the ONNX bytes, lowercase hex: the engine cache's key for the model. */
  onnxSha256: string;
  device: number;
  precision: 'fp16' | 'fp32';
  maxBatch: number;
  cacheDir: string;
}

export interface GpuBinding {
  probe(): GpuProbe;
  letterbox(
    rgb: Uint8Array,
    request: LetterboxRequest & { width: number; height: number; device?: number },
  ): Promise<{ tensor: Float32Array; geometry: LetterboxGeometry; ms: number }>;
  postprocess(
    output0: Float32Array,
    output1: Float32Array,
    request: GpuPostprocessRequest,
  ): Promise<{ images: GpuImageResult[]; times: GpuStageTimes }>;
  /** Only in addons built against TensorRT. */
  createEngine?(onnx: Uint8Array, options: GpuEngineOptions, onProgress: (stage: string, fraction: number) => void): Promise<GpuEngine>;
}
