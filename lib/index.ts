/**
 * FastSAM (Fast Segment Anything) for Node.js: load a FastSAM or YOLOv8-seg model, segment images and
 * videos, pick regions with box, point and text prompts, and export the results.
 *
 *     const model = await FastSAM.load('FastSAM-s.pt');
 *     const [result] = await model.predict('image.jpg');
 *     await result.plot({ output: 'plot.png' });
 *
 * The HTTP service is in `fastsam-node/serve`, the Redis queue workers in `fastsam-node/queue`.
 * @module fastsam-node
 */
// Plotting adds Result.plot() (the result model itself never imports plotting).
import './plot/result-plot';

export { FastSAM } from './pipeline/fastsam';
export type { BackendName, LoadOptions, PredictOptions, TrackOptions, VideoSource } from './pipeline/fastsam';
export type { BackendOptions, CpuThreadOptions, DynamicBatchingOptions, TensorRtOptions } from './options/load-options';
export { gpuAvailability } from './backends/tensorrt/load';
export type { GpuAvailability } from './backends/tensorrt/load';
export type { GpuProbe, GpuDevice } from './backends/tensorrt/binding';
export type { StreamItem, StreamOptions } from './pipeline/stream';
export { postprocess } from './pipeline/postprocess';
export { FASTSAM_DEFAULTS, YOLO_DEFAULTS } from './options/predict-options';
export type { DetectionOptions } from './options/predict-options';
export type { BatchInfo } from './pipeline/dispatcher';
export type { FastSAMEvents } from './pipeline/fastsam';
export type { PostprocessOptions } from './pipeline/postprocess';
export { Result } from './masks/result';
export type { Speed, DetectionJSON } from './masks/result';
export { Boxes } from './masks/boxes';
export { Mask, Masks } from './masks/masks';
export type { RLE } from './masks/masks';
export type { MaskFrame } from './masks/mask-frame';
export { FastSAMPrompt } from './prompts/prompt';
export type { BoxPrompt, PointPrompt, PointMode } from './prompts/prompt';
export { FastSAMError, isFastSAMError } from './errors';
export type { FastSAMErrorCode } from './errors';
export { decodeImage, DEFAULT_MAX_PIXELS } from './io/image';
export type { ImageSource, RawImage, DecodedImage } from './io/image';
export type { ModelContract } from './pipeline/contract';
export type { RawOutputs, RawTensor } from './backends/pipeline';
export type { PromptPlotOptions } from './plot/prompt-plot';
export type { ResultPlotOptions } from './plot/result-plot';
export type { CocoDetection, CompressedRLE } from './formats/coco';
export { compressRle, decompressRle } from './formats/coco';
export { toSegmentJSON } from './formats/segment-json';
export type { SegmentAnswer, SegmentDetection, SegmentMask } from './formats/segment-answer';
export type { PolygonOptions } from './formats/polygons';
export { validateDataset, evaluateCoco, evaluateCocoFiles } from './val';
export type { ValidateOptions, ValidationResult, CocoEvalResult, CocoDataset, CocoResult } from './val';
export { ClipScorer, ClipTokenizer, selectByText } from './clip';
export type { ClipSource, ClipLoadOptions, SelectByTextOptions, TextSelection, CropMode } from './clip';
export { answerPrompts } from './prompts/answer';
export type { PromptRequest } from './prompts/answer';
export {
  openVideo,
  VideoReader,
  probeVideo,
  isVideoSource,
  isLiveSource,
  predictVideo,
  trackVideo,
  createTracker,
  VideoResult,
  TrackedBoxes,
  ByteTracker,
  BYTETRACK_DEFAULTS,
  VideoWriter,
  annotateFrame,
} from './video';
export type {
  VideoFrame,
  VideoReadOptions,
  VideoInfo,
  VideoPredictOptions,
  VideoTrackOptions,
  TrackerSpec,
  VideoInput,
  FramePosition,
  VideoPrompt,
  ByteTrackOptions,
  VideoWriterOptions,
} from './video';
