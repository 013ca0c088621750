/**
 * The `key=value` names users type on the command line and send to the server (Ultralytics' names), in
 * groups shared by the commands and routes that take them, and their mapping to the API's options. The
 * values are only typed here; their ranges are checked by the API's resolvers.
 */
import type { BackendOptions } from './load-options';
import { invalid } from './check';
import type { KeySpec, ParsedKeys } from './key-schema';
import type { PredictOptions } from './predict-options';

export const MODEL_KEY: Record<string, KeySpec> = {
  model: { kind: 'path', help: 'an ONNX export, a .pt checkpoint, or a model name (cached, downloaded)', required: true },
};

export const BACKEND_KEYS: Record<string, KeySpec> = {
  device: { kind: 'string', help: 'cpu, or a CUDA GPU (0, cuda:1) for the tensorrt backend', default: 'cpu' },
  backend: { kind: 'enum', values: ['cpu', 'tensorrt', 'auto'], help: 'where the network runs (wins over device=)', default: 'cpu' },
  half: { kind: 'boolean', help: 'TensorRT FP16 engine (false: FP32)', default: 'true' },
  threads: { kind: 'integer', help: 'ONNX Runtime intra-op threads per worker', default: 'cores / workers' },
  workers: { kind: 'integer', help: 'inference worker threads, each with its own session', default: '1' },
  nice: { kind: 'integer', help: 'how much lower than the event loop inference threads run, 0 to 19 (Linux)', default: '10' },
};

export const PREDICT_KEYS: Record<string, KeySpec> = {
  imgsz: { kind: 'size', help: "input size (a static export's is fixed)", default: "the model's" },
  conf: { kind: 'number', help: 'confidence threshold', default: '0.4 FastSAM, 0.25 YOLOv8-seg' },
  iou: { kind: 'number', help: 'NMS IoU threshold', default: '0.9 FastSAM, 0.7 YOLOv8-seg' },
  max_det: { kind: 'integer', help: 'most detections per image', default: '300' },
  retina_masks: { kind: 'boolean', help: 'masks at the original image size', default: 'true FastSAM, false YOLOv8-seg' },
  agnostic_nms: { kind: 'boolean', help: 'NMS across classes', default: 'false' },
  classes: { kind: 'list', group: 1, help: 'keep only these class indices' },
  batch: { kind: 'integer', help: 'images per network run', default: "the backend's best" },
  max_pixels: { kind: 'integer', help: 'refuse larger images before decoding', default: '16383²' },
};

export const PROMPT_KEYS: Record<string, KeySpec> = {
  bboxes: { kind: 'list', group: 4, help: 'box prompts, image pixels' },
  points: { kind: 'list', group: 2, help: 'point prompts, image pixels' },
  labels: { kind: 'list', group: 1, help: 'per point: 1 foreground, 0 background', default: 'all 1' },
  point_mode: { kind: 'enum', values: ['merge', 'instances', 'additive'], help: 'how points combine', default: 'merge' },
  texts: { kind: 'string', help: 'text prompts separated by |, scored by CLIP (needs clip=)' },
  clip: { kind: 'path', help: 'folder with CLIP image and text encoders as ONNX and the vocabulary' },
};

/** Keys of any command that reads video (track, and predict on video sources). */
export const VIDEO_KEYS: Record<string, KeySpec> = {
  vid_stride: { kind: 'integer', help: 'video: read every n-th frame', default: '1' },
  stream_buffer: { kind: 'boolean', help: 'live streams: keep up to 30 frames instead of dropping stale ones', default: 'false' },
};

/** Where a command saves: Ultralytics' run folders (runs/segment/predict, predict2, ...). */
export function runKeys(mode: string): Record<string, KeySpec> {
  return {
    project: { kind: 'path', help: 'parent folder of the run folders', default: 'runs/segment' },
    name: { kind: 'string', help: `run folder name (${mode}, ${mode}2, ...)`, default: mode },
    exist_ok: { kind: 'boolean', help: 'reuse the run folder instead of numbering a new one', default: 'false' },
  };
}

/** Only the keys that were given. */
function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

export function predictOptionsFromKeys(keys: ParsedKeys): PredictOptions {
  return defined({
    imgsz: keys.imgsz as PredictOptions['imgsz'],
    conf: keys.conf as number | undefined,
    iou: keys.iou as number | undefined,
    maxDet: keys.max_det as number | undefined,
    retinaMasks: keys.retina_masks as boolean | undefined,
    agnosticNms: keys.agnostic_nms as boolean | undefined,
    classes: keys.classes as number[] | undefined,
    batch: keys.batch as number | undefined,
    maxPixels: keys.max_pixels as number | undefined,
  });
}

/** `device=cpu` or `device=0` / `cuda:0` (the tensorrt backend on that GPU); `backend=` wins. */
export function backendOptionsFromKeys(keys: ParsedKeys): BackendOptions {
  const options: BackendOptions = {};
  const device = keys.device as string | undefined;
  if (device !== undefined) {
    const cuda = /^(?:cuda:)?(\d+)$/i.exec(device);
    if (/^cpu$/i.test(device)) options.backend = 'cpu';
    else if (cuda) {
      options.backend = 'tensorrt';
      options.device = Number(cuda[1]);
    } else invalid('device', 'cpu, a GPU index (0) or cuda:N', device);
  }
  if (keys.backend !== undefined) options.backend = keys.backend as BackendOptions['backend'];
  if (keys.half !== undefined) options.precision = keys.half ? 'fp16' : 'fp32';
  if (keys.threads !== undefined) options.threads = keys.threads as number;
  if (keys.workers !== undefined) options.workers = keys.workers as number;
  if (keys.nice !== undefined) options.nice = keys.nice as number;
  return options;
}
