/**
 * FastSAM: load an Ultralytics-format segmentation model (FastSAM or any YOLOv8-seg) and segment images.
 * This class only schedules: options resolved once, images decoded, batches handed to the backend's
 * pipeline (lib/backends/) through the dispatcher (dynamic batching, and with it a bounded queue), results in order,
 * and dispose() waiting for what is in flight.
 *
 *   const model = await FastSAM.load('FastSAM-s.onnx');
 *   const [result] = await model.predict('bus.jpg');
 */
import { EventEmitter } from 'node:events';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { loadPipeline } from '../backends/load';
import type { CpuThreading, ImageDetections, Pipeline, StageTimes } from '../backends/pipeline';
import { resolveOnnx } from '../cache';
import { FastSAMError, messageOf } from '../errors';
import { type DecodedImage, decodeImage, type ImageSource } from '../io/image';
import { Boxes } from '../masks/boxes';
import { Masks } from '../masks/masks';
import { Result } from '../masks/result';
import { native } from '../native';
import { checkLoadOptions, type LoadOptions } from '../options/load-options';
import { type PredictOptions, type ResolvedPredictOptions, resolvePredictOptions } from '../options/predict-options';
import { readOnnxModelInfo } from '../onnx/model-info';
import { type ByteTracker, createTracker, isVideoSource, predictVideo, trackVideo, type VideoResult, VideoReader } from '../video';
import type { VideoPredictOptions, VideoTrackOptions } from '../video';
import { type ModelContract, readContract } from './contract';
import { type BatchInfo, type Dispatched, Dispatcher } from './dispatcher';
import { checkSources, orderedBatches, resolveStreamSettings, type StreamItem, type StreamOptions, type StreamSources } from './stream';

export type { BackendName } from '../options/load-options';
export type { LoadOptions } from '../options/load-options';
export type { PredictOptions } from '../options/predict-options';

/** A video file, stream URL or camera (ffmpeg), or a reader already open on one. */
export type VideoSource = string | VideoReader;

/** model.track() options: per-frame tracking (ByteTrack); `persist` keeps tracks and ids from the previous call. */
export interface TrackOptions extends VideoTrackOptions {
  /** Continue the tracks (and ids) of this model's previous track() call instead of starting afresh. Default false. */
  persist?: boolean;
}

const isVideo = (source: unknown): source is VideoSource => source instanceof VideoReader || isVideoSource(source);

/** Events a model emits: one 'batch' per backend run. */
export interface FastSAMEvents {
  /** After each backend run: its size, the requests that shared it, queue wait and stage times. */
  batch: [BatchInfo];
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

function readModelContract(bytes: Uint8Array, label: string, fastsam: boolean | undefined): ModelContract {
  try {
    return readContract(readOnnxModelInfo(bytes), { fastsam });
  } catch (error) {
    if (error instanceof FastSAMError) throw new FastSAMError(error.code, `${label}: ${error.message}`, { cause: error });
    throw new FastSAMError('E_MODEL_FORMAT', `${label} is not an ONNX model: ${messageOf(error)}`, { cause: error });
  }
}

/** One source as the scheduler tracks it: decoded, or the reason it could not be. */
interface Prepared {
  source: ImageSource;
  image?: DecodedImage;
  error?: FastSAMError;
  decodeMs: number;
}

async function collectVideo(results: AsyncGenerator<VideoResult>): Promise<VideoResult[]> {
  const all: VideoResult[] = [];
  for await (const result of results) all.push(result);
  return all;
}

async function* videoItems(results: AsyncGenerator<VideoResult>): AsyncGenerator<StreamItem> {
  for await (const result of results) yield { source: result.source!, result };
}

/**
 * A loaded segmentation model (FastSAM or any Ultralytics YOLOv8-seg ONNX export): predict(), stream() and track() images and
 * videos, then dispose(). Emits 'batch' after each backend run. Safe to call concurrently; with dynamicBatching, concurrent calls
 * share runs.
 */
export class FastSAM extends EventEmitter<FastSAMEvents> {
  private disposed = false;
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly dispatcher: Dispatcher;
  /** The tracker model.track() keeps between calls with `persist`. */
  private tracker?: ByteTracker;

  private constructor(
    private readonly pipeline: Pipeline,
    /** What the model file declares: classes, input size, stride, FastSAM or plain YOLOv8-seg. */
    readonly contract: ModelContract,
    /** Where the model came from. */
    readonly source: string,
    dynamicBatching: LoadOptions['dynamicBatching'],
    /** What backend 'auto' picked and why, e.g. "the CPU (ONNX Runtime), because ..."; undefined for an explicit backend. */
    readonly backendNote?: string,
  ) {
    super();
    // On a model that takes one image per run, dynamic batching still bounds the queue (E_OVERLOADED).
    this.dispatcher = new Dispatcher(pipeline, dynamicBatching, (info) => this.emit('batch', info));
  }

  /**
   * Loads an ONNX model file (or its bytes, or a checkpoint) and checks it is a YOLOv8-seg / FastSAM export.
   * A `.pt` checkpoint (or a bare name such as 'FastSAM-s', found in the cache or downloaded) is exported to
   * ONNX in Node first (cached by content). Throws E_FILE_NOT_FOUND, E_MODEL_FORMAT, E_BAD_OPTION,
   * E_UNSAFE_CHECKPOINT, E_DOWNLOAD or E_BACKEND_UNAVAILABLE (backend 'tensorrt' where it cannot run).
   */
  static async load(model: string | Uint8Array, options: LoadOptions = {}): Promise<FastSAM> {
    const checked = checkLoadOptions(options);
    if (typeof model !== 'string' && !(model instanceof Uint8Array)) {
      throw new FastSAMError('E_BAD_OPTION', 'model must be a file path, a model name or the ONNX bytes');
    }
    // A checkpoint or a bare model name: find it (cache, download), export it to ONNX (cached), load that.
    const file = typeof model === 'string' && isCheckpointName(model) ? await resolveOnnx(model, checked.export ?? {}) : model;
    const bytes = typeof file === 'string' ? await readModelFile(file) : file;
    const label = typeof model === 'string' ? model : '<buffer>';
    const contract = readModelContract(bytes, label, checked.fastsam);
    const { pipeline, note } = await loadPipeline(bytes, contract, checked);
    return new FastSAM(pipeline, contract, label, checked.dynamicBatching, note);
  }

  /** The backend that runs the network: 'cpu' (ONNX Runtime) or 'tensorrt'. */
  get backendName(): 'cpu' | 'tensorrt' {
    return this.pipeline.name;
  }

  /** ONNX Runtime's threading as resolved: workers, intra-op and inter-op threads, spinning (CPU backend only). */
  get threading(): CpuThreading | undefined {
    return this.pipeline.threading;
  }

  /** Class names by index, from the model's metadata. */
  get names(): Record<number, string> {
    return this.contract.names;
  }

  /** Whether concurrent predict() calls share batches (dynamicBatching on a model that takes batches). */
  get batching(): boolean {
    return this.dispatcher.batchingEnabled;
  }

  /** Images waiting for the backend (all requests together). */
  get queueDepth(): number {
    return this.dispatcher.queueDepth;
  }

  /**
   * Segments one image or several; returns one Result per image, in order. A video (file, stream URL,
   * camera) gives one VideoResult per frame: for long or live videos prefer stream(), which holds only a
   * few frames at a time.
   */
  predict(source: ImageSource | ImageSource[], options?: PredictOptions): Promise<Result[]>;
  predict(source: VideoSource, options?: VideoPredictOptions): Promise<VideoResult[]>;
  predict(source: ImageSource | ImageSource[] | VideoSource, options?: PredictOptions | VideoPredictOptions): Promise<Result[]> {
    // Tracked from the call on: dispose() waits for every predict() that began before it.
    if (isVideo(source)) return this.trackTask(collectVideo(predictVideo(this, source, options)));
    return this.trackTask(this.collect(Array.isArray(source) ? source : [source], options as PredictOptions));
  }

  /**
   * Results for many images, in input order, as they are ready: decoding of the next batches overlaps
   * inference of the current one, at most `concurrency` batches are in flight (bounded memory), and a
   * failing image yields `{ source, error }` instead of stopping the stream (unless `failFast`).
   */
  stream(sources: StreamSources, options?: StreamOptions): AsyncGenerator<StreamItem>;
  /** A video's frames, in order, as they are ready; decoding (ffmpeg) pauses while the consumer is behind. */
  stream(video: VideoSource, options?: VideoPredictOptions): AsyncGenerator<StreamItem>;
  stream(sources: StreamSources | VideoSource, options: StreamOptions | VideoPredictOptions = {}): AsyncGenerator<StreamItem> {
    if (isVideo(sources)) return videoItems(predictVideo(this, sources, options));
    const { concurrency, failFast, ...predictOptions } = (options ?? {}) as StreamOptions;
    return this.items(sources, predictOptions, { concurrency, failFast }, { afterDispose: 'fail' });
  }

  /**
   * Tracks objects through a video (or any sequence of images) with ByteTrack: one VideoResult per frame
   * whose detections carry stable integer ids (`result.ids`, `result.boxes.id`); masks follow their
   * tracks. With `persist`, the tracks of the previous call go on (Ultralytics' persist=True).
   */
  track(
    source: VideoSource | ImageSource | Iterable<ImageSource> | AsyncIterable<ImageSource>,
    options: TrackOptions = {},
  ): AsyncGenerator<VideoResult> {
    const { persist = false, tracker: spec, ...rest } = options ?? {};
    const tracking = async function* (this: FastSAM): AsyncGenerator<VideoResult> {
      if (!persist || !this.tracker || spec !== undefined) this.tracker = await createTracker(spec);
      yield* trackVideo(this, source, { ...rest, tracker: this.tracker });
    };
    return tracking.call(this);
  }

  /** Waits for in-flight predictions, then frees the backend (threads, sessions, GPU memory). */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await Promise.allSettled([...this.inFlight]);
    await this.pipeline.dispose();
  }

  private async collect(sources: ImageSource[], options: PredictOptions | undefined): Promise<Result[]> {
    const results: Result[] = [];
    for await (const item of this.items(sources, options, { failFast: true }, { afterDispose: 'finish' })) results.push(item.result!);
    return results;
  }

  /**
   * @param afterDispose what batches not yet started do once dispose() is called: a predict() finishes
   *   (dispose waits for it), a stream's later batches fail with E_DISPOSED (dispose does not wait for a
   *   consumer that may never pull).
   */
  private async *items(
    sources: unknown,
    options: PredictOptions | undefined,
    stream: StreamOptions,
    { afterDispose }: { afterDispose: 'finish' | 'fail' },
  ): AsyncGenerator<StreamItem> {
    this.checkAlive();
    const settings = resolveStreamSettings(stream);
    const { pipeline } = this;
    const resolved = resolvePredictOptions(options, {
      contract: this.contract,
      fixedInputSize: pipeline.fixedInputSize,
      preferredBatch: pipeline.preferredBatch,
      maxBatch: pipeline.maxBatch,
    });
    const checked = checkSources(sources);
    const batch = Math.min(resolved.batch, this.dispatcher.maxImages);
    yield* orderedBatches(checked, batch, settings, async (chunk) => {
      if (afterDispose === 'fail') this.checkAlive();
      return this.trackTask(this.runChunk(chunk, resolved));
    });
  }

  private checkAlive(): void {
    if (this.disposed) throw new FastSAMError('E_DISPOSED', 'this model was disposed');
  }

  /** Counts work as in flight, decoding included, so dispose() waits for it. */
  private trackTask<T>(task: Promise<T>): Promise<T> {
    this.inFlight.add(task);
    void task.then(
      () => this.inFlight.delete(task),
      () => this.inFlight.delete(task),
    );
    return task;
  }

  private async runChunk(sources: ImageSource[], options: ResolvedPredictOptions): Promise<StreamItem[]> {
    if (options.signal?.aborted) throw new FastSAMError('E_ABORTED', 'the request was aborted');
    const prepared = await Promise.all(sources.map((source) => this.prepare(source, options)));
    const images = prepared.flatMap((item) => (item.image ? [item.image] : []));
    if (images.length === 0) return prepared.map((item) => ({ source: item.source, error: item.error! }));
    const { inputSize, maxPixels: _maxPixels, batch: _batch, signal, ...detection } = options;
    const answer = await this.dispatcher.submit(images, { inputSize, ...detection }, signal);
    let next = 0;
    return prepared.map((item) =>
      item.image ? { source: item.source, result: this.toResult(answer, next++, item) } : { source: item.source, error: item.error! },
    );
  }

  /** Decodes one source and checks it can be letterboxed; a failure stays this image's own error. */
  private async prepare(source: ImageSource, options: ResolvedPredictOptions): Promise<Prepared> {
    const started = performance.now();
    try {
      const image = await decodeImage(source, { maxPixels: options.maxPixels });
      const [h, w] = options.inputSize;
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
        throw new FastSAMError('E_BAD_SOURCE', `a ${image.width}x${image.height} image is too thin to letterbox to ${w}x${h}`);
      }
      return { source, image, decodeMs: performance.now() - started };
    } catch (error) {
      const typed = error instanceof FastSAMError ? error : new FastSAMError('E_IMAGE_DECODE', messageOf(error), { cause: error });
      return { source, error: typed, decodeMs: performance.now() - started };
    }
  }

  private toResult(answer: Dispatched, index: number, item: Prepared): Result {
    const found: ImageDetections = answer.images[index];
    const times: StageTimes = answer.perImage;
    const speed = { preprocess: item.decodeMs + times.preprocess, inference: times.inference, postprocess: times.postprocess };
    const boxes = new Boxes(found.boxes, found.conf, found.cls, found.origShape);
    const all = Uint32Array.from({ length: found.conf.length }, (_, i) => i);
    const masks = new Masks(found.masks, all, found.origShape);
    return new Result(found.origShape, this.contract.names, boxes, masks, speed, item.image?.path, item.source);
  }
}
