/**
 * Hands decoded images to the backend, at most `pipeline.concurrency` runs at a time, the rest waiting in
 * arrival order. With dynamic batching (Triton's dynamic batcher, for models with a batch axis), requests
 * that wait together and ask for the same thing share one run: a batch goes out when it reaches a
 * preferred size or the largest size, or when its oldest image has waited `maxQueueDelayMs`; a bounded
 * queue refuses what it cannot hold (E_OVERLOADED) instead of growing without end.
 */
import { FastSAMError } from '../errors';
import type { DecodedImage } from '../io/image';
import { type Batching, type DynamicBatchingOptions, resolveDynamicBatching } from '../options/load-options';
import type { ImageDetections, Pipeline, PipelineRequest, StageTimes } from '../backends/pipeline';

/** One run as it happened, for metrics (model.on('batch', ...)). */
export interface BatchInfo {
  /** Images in the run. */
  size: number;
  /** Requests that shared it. */
  requests: number;
  /** How long its oldest image waited for the run to start. */
  queueMs: number;
  /** The backend's time for the run, by stage. */
  times: StageTimes;
}

/** A request's share of a run. */
export interface Dispatched {
  images: ImageDetections[];
  /** The run's stage times divided among its images, per image. */
  perImage: StageTimes;
  queueMs: number;
}

interface Work {
  images: DecodedImage[];
  request: PipelineRequest;
  key: string;
  enqueuedAt: number;
  signal?: AbortSignal;
  onAbort?: () => void;
  resolve: (answer: Dispatched) => void;
  reject: (error: unknown) => void;
}

/** Requests that may share a run: the same input size and detection options. */
function requestKey(request: PipelineRequest): string {
  return JSON.stringify(request);
}

function aborted(): FastSAMError {
  return new FastSAMError('E_ABORTED', 'the request was aborted');
}

export class Dispatcher {
  private readonly waiting: Work[] = [];
  private running = 0;
  private timer?: NodeJS.Timeout;
  private readonly batching?: Batching;

  constructor(
    private readonly pipeline: Pipeline,
    dynamicBatching: boolean | DynamicBatchingOptions | undefined,
    private readonly onBatch: (info: BatchInfo) => void,
  ) {
    if (dynamicBatching) this.batching = resolveDynamicBatching(dynamicBatching, pipeline.maxBatch);
  }

  /** Whether requests share runs. */
  get batchingEnabled(): boolean {
    return (this.batching?.maxBatch ?? 1) > 1;
  }

  /** The most images one submit() may carry. */
  get maxImages(): number {
    return this.batching?.maxBatch ?? this.pipeline.maxBatch;
  }

  /** Images waiting for a run. */
  get queueDepth(): number {
    return this.waiting.reduce((n, work) => n + work.images.length, 0);
  }

  /** Runs `images` (at most maxImages) through the backend, alone or in company. */
  submit(images: DecodedImage[], request: PipelineRequest, signal?: AbortSignal): Promise<Dispatched> {
    if (signal?.aborted) return Promise.reject(aborted());
    if (this.batching && this.queueDepth + images.length > this.batching.maxQueue) {
      return Promise.reject(
        new FastSAMError(
          'E_OVERLOADED',
          `the request queue is full (${this.queueDepth} images waiting, at most ${this.batching.maxQueue})`,
        ),
      );
    }
    return new Promise<Dispatched>((resolve, reject) => {
      const work: Work = { images, request, key: requestKey(request), enqueuedAt: performance.now(), signal, resolve, reject };
      if (signal) {
        work.onAbort = () => {
          const at = this.waiting.indexOf(work);
          if (at >= 0) this.waiting.splice(at, 1);
          reject(aborted()); // a run already started finishes unseen
        };
        signal.addEventListener('abort', work.onAbort, { once: true });
      }
      this.waiting.push(work);
      // Requests submitted in the same turn of the event loop can share the run.
      queueMicrotask(() => this.pump());
    });
  }

  private pump(): void {
    while (this.running < this.pipeline.concurrency && this.waiting.length > 0) {
      const group = this.nextGroup();
      if (!group) return;
      void this.start(group);
    }
  }

  /** The works to run next, or none yet (dynamic batching waits for company, with a timer). */
  private nextGroup(): Work[] | undefined {
    const batching = this.batching;
    if (!batching) return [this.waiting.shift()!];
    const oldest = this.waiting[0];
    const group: Work[] = [];
    let size = 0;
    for (const work of this.waiting) {
      if (work.key !== oldest.key || size + work.images.length > batching.maxBatch) continue;
      group.push(work);
      size += work.images.length;
    }
    const waited = performance.now() - oldest.enqueuedAt;
    const preferred = batching.preferred.find((n) => n <= size);
    if (preferred === undefined && waited < batching.maxQueueDelayMs) {
      this.timer ??= setTimeout(
        () => {
          this.timer = undefined;
          this.pump();
        },
        Math.max(1, batching.maxQueueDelayMs - waited),
      );
      return undefined;
    }
    // A preferred size was reached: send exactly it, the rest waits for the next run; else send all.
    let take = group;
    if (preferred !== undefined && preferred < size) {
      take = [];
      let n = 0;
      for (const work of group) {
        if (n + work.images.length > preferred) break;
        take.push(work);
        n += work.images.length;
      }
      if (take.length === 0) take = [group[0]];
    }
    for (const work of take) this.waiting.splice(this.waiting.indexOf(work), 1);
    return take;
  }

  private async start(group: Work[]): Promise<void> {
    this.running++;
    const startedAt = performance.now();
    const images = group.flatMap((work) => work.images);
    try {
      const run = await this.pipeline.run(images, group[0].request);
      const n = images.length;
      const perImage = { preprocess: run.times.preprocess / n, inference: run.times.inference / n, postprocess: run.times.postprocess / n };
      this.onBatch({ size: n, requests: group.length, queueMs: startedAt - group[0].enqueuedAt, times: run.times });
      let from = 0;
      for (const work of group) {
        const to = from + work.images.length;
        this.settle(work, () => work.resolve({ images: run.images.slice(from, to), perImage, queueMs: startedAt - work.enqueuedAt }));
        from = to;
      }
    } catch (error) {
      for (const work of group) this.settle(work, () => work.reject(error));
    } finally {
      this.running--;
      this.pump();
    }
  }

  private settle(work: Work, answer: () => void): void {
    if (work.signal && work.onAbort) {
      work.signal.removeEventListener('abort', work.onAbort);
      if (work.signal.aborted) return; // already rejected
    }
    answer();
  }
}
