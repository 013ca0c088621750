/**
 * The caps on what users and model files may ask for, in one place: user options and model metadata are
 * checked against the same numbers, so a model cannot declare what a caller could not request.
 */

/** Largest input side: a 8192² letterbox is 805 MB of float32; beyond it inference itself would not fit. */
export const MAX_IMGSZ = 8192;

/** Strides YOLOv8-seg heads use (P3-P5, and P6 exports); anything else is not a detection model. */
export const ALLOWED_STRIDES: readonly number[] = [8, 16, 32, 64, 128];

/** Ultralytics' max_det default is 300; 30000 is its NMS candidate cap (max_nms). */
export const MAX_DETECTIONS = 30000;

/** Batches larger than this are not a batch but a data set: stream() them. */
export const MAX_BATCH = 1024;

/** Class indices are int32 natively; a model with more classes than this is not a YOLOv8-seg export. */
export const MAX_CLASSES = 100000;

/** Default pixel cap per image, 16383² (sharp's own default limit): refused from the header, before decoding. */
export const DEFAULT_MAX_PIXELS = 0x3fff * 0x3fff;

/** Most mask coefficients a segmentation head may declare: every YOLOv8-seg has 32. */
export const MAX_MASK_COEFFICIENTS = 256;

/** Largest metadata string parsed (names, imgsz, stride): MAX_CLASSES names of ~80 characters. */
export const MAX_METADATA_CHARS = 8 * 1024 * 1024;

/** Longest CLIP token row (contextLength): OpenAI CLIP uses 77, Long-CLIP 248; rows are allocated up front. */
export const MAX_CLIP_CONTEXT = 4096;

/** Longest CLIP text prompt (characters): BPE of a long word is superlinear; 77 tokens are a few hundred. */
export const MAX_CLIP_TEXT_CHARS = 16384;
