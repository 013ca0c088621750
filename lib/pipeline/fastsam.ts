/**
 * FastSAM: load an Ultralytics-format segmentation ONNX (FastSAM or any YOLOv8-seg) and segment images.
 *
 *   const model = await FastSAM.load('FastSAM-s.onnx');
 *   const [result] = await model.predict('bus.jpg');
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { resolveOnnx } from '../cache';
import type { Backend, RawOutputs, RawTensor } from '../backends/pipeline';
import { OnnxRuntimeBackend } from '../backends/cpu/onnxruntime-session';
import { TensorRtPipeline, type TensorRtOptions } from '../backends/tensorrt/tensorrt-pipeline';
import { gpuAvailability } from '../backends/tensorrt/load';
import { gpuResults } from '../backends/tensorrt/results';
import { type ModelContract, readContract } from './contract';
import { FastSAMError, messageOf } from '../errors';
import { type DecodedImage, decodeImage, type ImageSource } from '../io/image';
import { readOnnxModelInfo } from '../onnx/model-info';
import { checkMaxDet, checkUnitInterval, type DetectionOptions, FASTSAM_DEFAULTS, postprocess, YOLO_DEFAULTS } from './postprocess';
import { letterboxBatch } from '../backends/cpu/letterbox-batch';
import type { Result } from '../masks/result';
import { DynamicBatcher, type DynamicBatchingOptions, firstImages } from './batcher';
import { native } from '../native';
import { type StreamItem, type StreamOptions, streamPredictions } from './stream';

export type BackendName = 'cpu' | 'tensorrt' | 'auto';

export interface LoadOptions extends TensorRtOptions {
  /**
   * 'cpu' (ONNX Runtime, default), 'tensorrt' (NVIDIA GPUs: E_BACKEND_UNAVAILABLE, listing what is
   * missing, when it cannot run), or 'auto' (TensorRT when it loads, else the CPU with a warning saying why).
   * The GPU options (device, precision, maxBatch, engineCacheDir, onProgress) apply to TensorRT only.
   */
  backend?: BackendName;
  /** CPU threads for inference; default one per core. */
  threads?: number;
  /** Force FastSAM semantics on or off; default: on for one-class models. */
  fastsam?: boolean;
  /**
   * Run concurrent predict() calls arriving within `windowMs` as one batch (models with a dynamic batch
   * axis only; ignored otherwise). Off by default.
   */
  dynamicBatching?: boolean | DynamicBatchingOptions;
  /**
   * For a checkpoint (`FastSAM-s.pt`, or a bare name looked up in the cache and downloaded): the size to
   * export the ONNX at (default: the checkpoint's), or a dynamic export. Exports are cached by content.
   */
  export?: { imgsz?: number | [number, number]; dynamic?: boolean };
}

export interface PredictOptions extends DetectionOptions {
  /** Input size; fixed by a static export, free (rounded up to the stride) for a dynamic one. */
  imgsz?: number | [number, number];
  /** Images with more pixels are refused before decoding. Default 16383². */
  maxPixels?: number;
  /** Largest batch sent through a model with a dynamic batch axis. Default 8. */
  batch?: number;
}

const PREDICT_KEYS = new Set(['imgsz', 'conf', 'iou', 'maxDet', 'retinaMasks', 'agnosticNms', 'classes', 'maxPixels', 'batch']);

function badOption(message: string): never {
  throw new FastSAMError('E_BAD_OPTION', message);
}

function checkPositiveInt(name: string, value: number, max: number): number {
  if (!Number.isInteger(value) || value < 1 || value > max) badOption(`${name} must be an integer in [1, ${max}], got ${String(value)}`);
  return value;
}

/** `.pt` files and bare names without an extension go through the checkpoint exporter and cache. */
function isCheckpointName(model: string): boolean {
  return /\.(pt|pth)$/i.test(model) || !/\.[a-z0-9]+$/i.test(path.basename(model));
}

async function readModelFile(modelPath: string): Promise<Uint8Array> {
  try {
    return await fs.readFile(modelPath);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR') {
      throw new FastSAMError('E_FILE_NOT_FOUND', `model file not found: ${modelPath}`, { cause: error });
    }
    throw new FastSAMError('E_MODEL_FORMAT', `cannot read model ${modelPath}: ${messageOf(error)}`, { cause: error });
  }
}

interface LoadedBackend {
  cpu?: Backend;
  gpu?: TensorRtPipeline;
  /** Why 'auto' picked what it picked. */
  note?: string;
}

function checkGpuOptions(options: LoadOptions): void {
  const { device } = options;
  if (device !== undefined && !(Number.isInteger(device) && device >= 0 && device < 1024)) {
    badOption(`device must be a GPU index, an integer in [0, 1023], got ${String(device)}`);
  }
  if (options.maxBatch !== undefined) checkPositiveInt('maxBatch', options.maxBatch, 1024);
  if (options.precision !== undefined && options.precision !== 'fp16' && options.precision !== 'fp32') {
    badOption(`precision must be 'fp16' or 'fp32', got ${String(options.precision)}`);
  }
  if (options.engineCacheDir !== undefined && (typeof options.engineCacheDir !== 'string' || options.engineCacheDir === '')) {
    badOption('engineCacheDir must be a folder path');
  }
  if (options.onProgress !== undefined && typeof options.onProgress !== 'function') badOption('onProgress must be a function');
}

async function loadBackend(bytes: Uint8Array, options: LoadOptions): Promise<LoadedBackend> {
  const requested = options.backend ?? 'cpu';
  if (requested !== 'cpu' && requested !== 'auto' && requested !== 'tensorrt')
    badOption(`backend must be 'cpu', 'tensorrt' or 'auto', got ${String(requested)}`);
  if (options.threads !== undefined) checkPositiveInt('threads', options.threads, 1024);
  checkGpuOptions(options);
  if (requested === 'tensorrt') return { gpu: await TensorRtPipeline.load(bytes, options) };
  if (requested === 'auto') {
    const { missing } = gpuAvailability(options.device ?? 0, { engine: true });
    let why = `missing: ${missing.join('; ')}`;
    if (missing.length === 0) {
      try {
        const gpu = await TensorRtPipeline.load(bytes, options);
        return { gpu, note: `TensorRT ${gpu.info.tensorrt} on GPU ${gpu.info.device}` };
      } catch (error) {
        why = messageOf(error);
      }
    }
    const note = `the CPU (ONNX Runtime), because the tensorrt backend cannot run here (${why})`;
    process.emitWarning(`fastsam: backend 'auto' is using ${note}`, { code: 'FASTSAM_BACKEND_FALLBACK' });
    return { cpu: await OnnxRuntimeBackend.load(bytes, { threads: options.threads }), note };
  }
  return { cpu: await OnnxRuntimeBackend.load(bytes, { threads: options.threads }) };
}

export class FastSAM {
  private disposed = false;
  private inFlight = new Set<Promise<unknown>>();
  /** Serialises backend runs: the next batch decodes while this one infers. */
  private inferenceTurn: Promise<void> = Promise.resolve();

  private readonly batcher?: DynamicBatcher;

  /** ONNX Runtime on the CPU, unless the whole pipeline runs on the GPU (`gpu`). */
  private readonly backend?: Backend;
  private readonly gpu?: TensorRtPipeline;
  /** What backend 'auto' picked and why, e.g. "the CPU (ONNX Runtime), because ..."; undefined for an explicit backend. */
  readonly backendNote?: string;

  private constructor(
    loaded: LoadedBackend,
    /** What the model file declares: classes, input size, stride, FastSAM or plain YOLOv8-seg. */
    readonly contract: ModelContract,
    /** Where the model came from. */
    readonly source: string,
    dynamicBatching?: boolean | DynamicBatchingOptions,
  ) {
    this.backend = loaded.cpu;
    this.gpu = loaded.gpu;
    this.backendNote = loaded.note;
    // The GPU engine runs concurrent requests side by side (one lane each): no batcher in front of it.
    if (dynamicBatching && contract.fixedBatch === null && !this.gpu) {
      this.batcher = new DynamicBatcher((tensor) => this.serialisedRun(tensor), dynamicBatching === true ? {} : dynamicBatching);
    }
  }

  /** Whether concurrent predict() calls are batched together (dynamicBatching on a dynamic-batch model). */
  get batching(): boolean {
    return this.batcher !== undefined;
  }

  /** Loads an ONNX model file (or its bytes) and checks it is a YOLOv8-seg / FastSAM export. */
  static async load(model: string | Uint8Array, options: LoadOptions = {}): Promise<FastSAM> {
    // A checkpoint or a bare model name: find it (cache, download), export it to ONNX (cached), load that.
    const file = typeof model === 'string' && isCheckpointName(model) ? await resolveOnnx(model, options.export ?? {}) : model;
    const bytes = typeof file === 'string' ? await readModelFile(file) : file;
    const label = typeof model === 'string' ? model : '<buffer>';
    let contract: ModelContract;
    try {
      contract = readContract(readOnnxModelInfo(bytes), { fastsam: options.fastsam });
    } catch (error) {
      if (error instanceof FastSAMError) throw new FastSAMError(error.code, `${label}: ${error.message}`, { cause: error });
      throw new FastSAMError('E_MODEL_FORMAT', `${label} is not an ONNX model: ${messageOf(error)}`, { cause: error });
    }
    return new FastSAM(await loadBackend(bytes, options), contract, label, options.dynamicBatching);
  }

  /** The backend that runs the network: 'cpu' (ONNX Runtime) or 'tensorrt'. */
  get backendName(): 'cpu' | 'tensorrt' {
    return this.gpu ? 'tensorrt' : 'cpu';
  }

  get names(): Record<number, string> {
    return this.contract.names;
  }

  /** Segments one image or several; returns one Result per image, in order. */
  async predict(source: ImageSource | ImageSource[], options: PredictOptions = {}): Promise<Result[]> {
    if (this.disposed) throw new FastSAMError('E_DISPOSED', 'this model was disposed');
    const task = this.run(Array.isArray(source) ? source : [source], options);
    this.inFlight.add(task);
    try {
      return await task;
    } finally {
      this.inFlight.delete(task);
    }
  }

  /** Waits for in-flight predictions, then frees the runtime session. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await Promise.allSettled([...this.inFlight]);
    await (this.gpu ?? this.backend)?.dispose();
  }

  private inputSize(imgsz: PredictOptions['imgsz']): [number, number] {
    const { stride } = this.contract;
    const fixedSize = this.gpu?.inputSize ?? this.contract.fixedSize;
    if (imgsz === undefined) return fixedSize ?? this.contract.imgsz;
    const pair = typeof imgsz === 'number' ? [imgsz, imgsz] : imgsz;
    if (!Array.isArray(pair) || pair.length !== 2) badOption(`imgsz must be a number or [height, width], got ${JSON.stringify(imgsz)}`);
    // Like Ultralytics' check_imgsz: each side rounded up to a multiple of the stride.
    const size = pair.map((v) => Math.ceil(checkPositiveInt('imgsz', v, 8192) / stride) * stride) as [number, number];
    if (fixedSize && (size[0] !== fixedSize[0] || size[1] !== fixedSize[1])) {
      badOption(`this model was exported with a fixed input of ${fixedSize.join('x')}; imgsz ${size.join('x')} needs a dynamic export`);
    }
    return size;
  }

  private checkOptions(options: PredictOptions): void {
    for (const key of Object.keys(options)) {
      if (!PREDICT_KEYS.has(key)) badOption(`unknown predict option '${key}'`);
    }
    const defaults = this.contract.isFastSAM ? FASTSAM_DEFAULTS : YOLO_DEFAULTS;
    checkUnitInterval('conf', options.conf ?? defaults.conf);
    checkUnitInterval('iou', options.iou ?? defaults.iou);
    checkMaxDet(options.maxDet ?? 300);
    if (options.maxPixels !== undefined) checkPositiveInt('maxPixels', options.maxPixels, Number.MAX_SAFE_INTEGER);
    if (options.batch !== undefined) checkPositiveInt('batch', options.batch, 1024);
    if (options.classes !== undefined && (!Array.isArray(options.classes) || !options.classes.every(Number.isInteger))) {
      badOption('classes must be an array of class indices');
    }
  }

  /**
   * Results for many images, in input order, as they are ready: decoding of the next batches overlaps
   * inference of the current one, at most `concurrency` batches are in flight (bounded memory), and a
   * failing image yields `{ source, error }` instead of stopping the stream (unless `failFast`).
   */
  stream(sources: Iterable<ImageSource> | AsyncIterable<ImageSource>, options: StreamOptions = {}): AsyncGenerator<StreamItem> {
    if (this.disposed) throw new FastSAMError('E_DISPOSED', 'this model was disposed');
    const { concurrency, failFast, ...predictOptions } = options;
    this.checkOptions(predictOptions);
    const size = this.inputSize(predictOptions.imgsz);
    const batch = Math.min(this.contract.fixedBatch ?? Infinity, predictOptions.batch ?? 1);
    return streamPredictions(sources, {
      batch,
      concurrency: concurrency ?? 2,
      failFast: failFast ?? false,
      run: async (items) => {
        if (this.disposed) throw new FastSAMError('E_DISPOSED', 'this model was disposed');
        // The whole batch counts as in flight, decoding included, so dispose() waits for it.
        const task = this.prepare(items, size, predictOptions).then((prepared) => this.runPrepared(prepared, size, predictOptions));
        this.inFlight.add(task);
        try {
          return await task;
        } finally {
          this.inFlight.delete(task);
        }
      },
    });
  }

  private async run(sources: ImageSource[], options: PredictOptions): Promise<Result[]> {
    this.checkOptions(options);
    const size = this.inputSize(options.imgsz);
    const maxBatch = this.gpu ? this.gpu.info.maxBatch : (this.contract.fixedBatch ?? options.batch ?? 8);
    const results: Result[] = [];
    for (let start = 0; start < sources.length; start += maxBatch) {
      const prepared = await this.prepare(sources.slice(start, start + maxBatch), size, options);
      const failed = prepared.items.find((item) => item.error);
      if (failed?.error) throw failed.error;
      const batch = await this.runPrepared(prepared, size, options);
      results.push(...batch.map((item) => item.result!));
    }
    return results;
  }

  /** One backend run at a time (ONNX Runtime already uses every core); later callers queue. */
  private serialisedRun(tensor: RawTensor): Promise<RawOutputs> {
    const turn = this.inferenceTurn.then(() => this.backend!.run(tensor));
    this.inferenceTurn = turn.then(
      () => undefined,
      () => undefined,
    );
    return turn;
  }

  /** Decodes and letterboxes a batch; an image that fails keeps its error and stays out of the tensor. */
  private async prepare(sources: ImageSource[], size: [number, number], options: PredictOptions): Promise<PreparedBatch> {
    const started = performance.now();
    const decoded = await Promise.allSettled(sources.map((s) => decodeImage(s, { maxPixels: options.maxPixels })));
    const items = decoded.map((d, i): PreparedItem =>
      d.status === 'fulfilled' ? this.checkFits(sources[i], d.value, size) : { source: sources[i], error: asFastSAMError(d.reason) },
    );
    const images = items.flatMap((item) => (item.image ? [item.image] : []));
    // On the GPU the letterbox is part of the engine's pipeline: decoded pixels go straight to it.
    if (this.gpu) return { items, images, preprocessMs: performance.now() - started };
    let tensor = images.length > 0 ? (await letterboxBatch(images, size, this.contract.stride)).tensor : undefined;
    // A fixed-batch export takes exactly its batch: pad with blank images, whose outputs are dropped.
    const fixed = this.contract.fixedBatch;
    if (tensor && fixed !== null && images.length < fixed) {
      const data = new Float32Array((tensor.data.length / images.length) * fixed);
      data.set(tensor.data);
      tensor = { data, dims: [fixed, ...tensor.dims.slice(1)] };
    }
    return { items, images, tensor, preprocessMs: performance.now() - started };
  }

  /** An image so thin that it letterboxes to zero pixels is that image's error, not the batch's. */
  private checkFits(source: ImageSource, image: DecodedImage, [h, w]: [number, number]): PreparedItem {
    const g = native().letterboxGeometry({
      height: image.height,
      width: image.width,
      newHeight: h,
      newWidth: w,
      stride: this.contract.stride,
      auto: false,
      scaleUp: true,
    });
    if (g.unpadWidth < 1 || g.unpadHeight < 1) {
      const error = new FastSAMError('E_BAD_SOURCE', `a ${image.width}x${image.height} image is too thin to letterbox to ${w}x${h}`);
      return { source, error };
    }
    return { source, image };
  }

  /** Runs the network (one batch at a time: ONNX Runtime already uses every core) and post-processes. */
  private async runPrepared(prepared: PreparedBatch, size: [number, number], options: PredictOptions): Promise<StreamItem[]> {
    const { items, images, tensor } = prepared;
    if (this.gpu && images.length > 0) return this.runOnGpu(this.gpu, prepared, size, options);
    if (!tensor) return items.map((item) => ({ source: item.source, error: item.error! }));
    const started = performance.now();
    const raw = await (this.batcher ? this.batcher.submit(tensor) : this.serialisedRun(tensor));
    const outputs = raw.output0.dims[0] > images.length ? firstImages(raw, images.length) : raw;
    const inferenceMs = performance.now() - started;
    const n = images.length;
    const results = await postprocess(outputs, {
      inputShape: size,
      origShape: images.map((img) => [img.height, img.width] as [number, number]),
      task: this.contract.isFastSAM ? 'fastsam' : 'segment',
      conf: options.conf,
      iou: options.iou,
      maxDet: options.maxDet,
      retinaMasks: options.retinaMasks,
      agnosticNms: options.agnosticNms,
      classes: options.classes,
      names: this.contract.names,
      paths: images.map((img) => img.path),
      sources: items.flatMap((item) => (item.image ? [item.source] : [])),
      speed: { preprocess: prepared.preprocessMs / n, inference: inferenceMs / n },
    });
    return withResults(items, results);
  }

  /** The whole pipeline on the GPU: letterbox, TensorRT, detection and masks; Results as on the CPU. */
  private async runOnGpu(
    gpu: TensorRtPipeline,
    prepared: PreparedBatch,
    size: [number, number],
    options: PredictOptions,
  ): Promise<StreamItem[]> {
    const { items, images } = prepared;
    const defaults = this.contract.isFastSAM ? FASTSAM_DEFAULTS : YOLO_DEFAULTS;
    const retina = options.retinaMasks ?? defaults.retinaMasks;
    const { images: outputs, times } = await gpu.predict(images, {
      conf: options.conf ?? defaults.conf,
      iou: options.iou ?? defaults.iou,
      agnostic: options.agnosticNms ?? false,
      maxDet: options.maxDet ?? 300,
      ...(options.classes ? { classes: options.classes } : {}),
      nc: this.contract.nc,
      fullImageBox: this.contract.isFastSAM,
      mode: retina ? 'native' : 'letterbox',
    });
    const n = images.length;
    const results = gpuResults(outputs, {
      names: this.contract.names,
      retina,
      inputShape: size,
      origShapes: images.map((img) => [img.height, img.width] as [number, number]),
      paths: images.map((img) => img.path),
      sources: items.flatMap((item) => (item.image ? [item.source] : [])),
      speed: {
        preprocess: (prepared.preprocessMs + (times.letterbox ?? 0)) / n,
        inference: (times.inference ?? 0) / n,
        postprocess: (times.detect + times.masks) / n,
      },
    });
    return withResults(items, results);
  }
}

/** Each decoded item gets the next result, in order; the items that failed keep their error. */
function withResults(items: PreparedItem[], results: Result[]): StreamItem[] {
  let next = 0;
  return items.map((item) => (item.image ? { source: item.source, result: results[next++] } : { source: item.source, error: item.error! }));
}

interface PreparedItem {
  source: ImageSource;
  image?: DecodedImage;
  error?: FastSAMError;
}

interface PreparedBatch {
  items: PreparedItem[];
  images: DecodedImage[];
  tensor?: RawTensor;
  preprocessMs: number;
}

function asFastSAMError(error: unknown): FastSAMError {
  return error instanceof FastSAMError ? error : new FastSAMError('E_IMAGE_DECODE', messageOf(error), { cause: error });
}
