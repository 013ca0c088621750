/**
 * FastSAMWorker: takes segment jobs from a BullMQ queue and answers them with a loaded model. Up to
 * `concurrency` jobs run at once and meet in the model's dynamic batching (BullMQ's own batches are a
 * paid feature), so one worker process keeps one GPU busy. Reliability, in BullMQ's terms (the numbers
 * and their reasons are in settings.ts):
 * - each running job holds a lock renewed from the event loop, which inference never blocks; if this
 *   process dies, its jobs go back to the queue when their locks expire and another worker retries them;
 * - bad input fails at once (UnrecoverableError), anything else is retried with exponential backoff;
 * - an answer is stored once (SET NX, with a TTL) before the job completes, and a retry that finds it
 *   stored completes without running again;
 * - close() stops taking jobs and finishes those running (a drain); past its deadline, the jobs still
 *   running are handed back to the queue untouched, for another worker.
 *
 *   const model = await FastSAM.load('FastSAM-s.onnx', { dynamicBatching: { maxBatch: 8 } });
 *   const worker = await FastSAMWorker.start({ redis: 'redis://redis:6379', queue: 'fastsam', model, concurrency: 8 });
 *   process.once('SIGTERM', () => void worker.close({ timeoutMs: 60_000 }));
 */
import { EventEmitter } from 'node:events';
import * as os from 'node:os';
import { type Job, Queue, WaitingError, Worker } from 'bullmq';
import { Registry } from 'prom-client';
import type { ClipScorer } from '../clip/scorer';
import { SegmentEncoder } from '../formats/segment-encoder';
import { FastSAMError } from '../errors';
import { checkInteger, checkKnownKeys, checkOptionsObject, checkString, invalid } from '../options/check';
import { DEFAULT_MAX_PIXELS } from '../options/limits';
import { FastSAM } from '../pipeline/fastsam';
import { asFastSAMError, isBadInput, toJobError } from './failure';
import { checkQueueName, type QueueName } from './keys';
import { checkHashTag, connectAndCheck, openRedis, type RedisHandle, type RedisTarget } from './redis';
import { dropUpload, type JobSummary, runSegmentJob, type SegmentJobContext } from './segment-job';
import { DEFAULT_PREFIX, QUEUE_DEFAULTS } from './settings';
import { WorkerMetrics } from './worker-metrics';

/** Options of FastSAMWorker.start(): the queue, the model that answers, and how jobs are locked and retried. */
export interface FastSAMWorkerOptions {
  /**
   * Where the queue lives: a redis:// URL, ioredis options, { cluster: [URLs] }, or an ioredis client created with
   * maxRetriesPerRequest: null (BullMQ's rule for workers).
   */
  redis: RedisTarget;
  /** The queue's name (on Redis Cluster, hash-tagged: `{fastsam}`). */
  queue: string;
  /** Redis key prefix of the queue. Default 'bull'. */
  prefix?: string;
  /** The model that answers jobs; the worker never disposes it. Load it with dynamicBatching to batch jobs. */
  model: FastSAM;
  /** CLIP, for jobs with text prompts. */
  clip?: ClipScorer;
  /** Jobs run at once (they share the model's batches). Default 4. */
  concurrency?: number;
  /** Lock on a running job, renewed every half of it. Default 30000. */
  lockDurationMs?: number;
  /** How often this worker looks for jobs whose worker died. Default 15000. */
  stalledIntervalMs?: number;
  /** Times a job may lose its worker before it fails (E_JOB_FAILED). Default 1. */
  maxStalledCount?: number;
  /** Images with more pixels are refused before decoding. Default 16383². */
  maxPixels?: number;
  /** Path sources must lie inside this folder (links resolved); default: any path this process can read. */
  root?: string;
  /** Stored on each job it runs (processedBy). Default host:pid. */
  name?: string;
  /** Where metrics are registered. Default: a registry of its own (`worker.metrics`). */
  registry?: Registry;
  /** How long reaching Redis at start may take. Default 10000. */
  connectTimeoutMs?: number;
}

/** What every worker event says of a job. */
export interface WorkerJobEvent {
  /** The job's id. */
  jobId: string;
  /** How long this attempt took, in ms. */
  milliseconds: number;
}

/** Events of a FastSAMWorker, one per job attempt, plus 'error'. */
export interface FastSAMWorkerEvents {
  /** A job's answer is stored and the job completed. */
  completed: [
    WorkerJobEvent & {
      /** What the job returned to BullMQ: detections and answer size. */
      summary: JobSummary;
    },
  ];
  /** An attempt failed: `final` when the job failed for good, else it will be retried. */
  failed: [
    WorkerJobEvent & {
      /** Why the attempt failed, with its code. */
      error: FastSAMError;
      /** True when the job failed for good (bad input, or attempts spent); false when it will be retried. */
      final: boolean;
    },
  ];
  /** Trouble outside a job (Redis connection, lock renewal); emitted only when someone listens. */
  error: [Error];
}

const OPTION_KEYS = [
  'redis',
  'queue',
  'prefix',
  'model',
  'clip',
  'concurrency',
  'lockDurationMs',
  'stalledIntervalMs',
  'maxStalledCount',
  'maxPixels',
  'root',
  'name',
  'registry',
  'connectTimeoutMs',
] as const;

interface Settings {
  queue: QueueName;
  concurrency: number;
  lockDurationMs: number;
  stalledIntervalMs: number;
  maxStalledCount: number;
  maxPixels: number;
  connectTimeoutMs: number;
  name: string;
}

function checkOptions(value: unknown): FastSAMWorkerOptions & Settings {
  const options = checkOptionsObject('worker options', value) as unknown as FastSAMWorkerOptions;
  checkKnownKeys('worker option', options, OPTION_KEYS);
  if (!(options.model instanceof FastSAM)) invalid('model', 'a loaded FastSAM model', options.model);
  if (options.registry !== undefined && !(options.registry instanceof Registry))
    invalid('registry', 'a prom-client Registry', options.registry);
  if (options.root !== undefined) checkString('root', options.root);
  const d = QUEUE_DEFAULTS;
  const lockDurationMs = checkInteger('lockDurationMs', options.lockDurationMs ?? d.lockDurationMs, 1000, 3_600_000);
  return {
    ...options,
    queue: checkQueueName(options.queue, options.prefix ?? DEFAULT_PREFIX),
    concurrency: checkInteger('concurrency', options.concurrency ?? d.concurrency, 1, 1024),
    lockDurationMs,
    stalledIntervalMs: checkInteger('stalledIntervalMs', options.stalledIntervalMs ?? d.stalledIntervalMs, 500, lockDurationMs),
    maxStalledCount: checkInteger('maxStalledCount', options.maxStalledCount ?? d.maxStalledCount, 0, 100),
    maxPixels: checkInteger('maxPixels', options.maxPixels ?? DEFAULT_MAX_PIXELS, 1, Number.MAX_SAFE_INTEGER),
    connectTimeoutMs: checkInteger('connectTimeoutMs', options.connectTimeoutMs ?? d.connectTimeoutMs, 1, 3_600_000),
    name: options.name === undefined ? `${os.hostname()}:${process.pid}` : checkString('name', options.name),
  } as FastSAMWorkerOptions & Settings;
}

/** The reason a processor was aborted by close() past its deadline: its job goes back to the queue. */
const HAND_BACK = 'handed back: the worker is shutting down';

/**
 * The consumer side of a segment queue: takes jobs from Redis (BullMQ) and answers them with a loaded FastSAM model, up to
 * `concurrency` at once (they meet in the model's dynamic batching). Jobs of a worker that dies go back to the queue; bad input
 * fails at once, other failures are retried. Start with FastSAMWorker.start(); stop with close().
 */
export class FastSAMWorker extends EventEmitter<FastSAMWorkerEvents> {
  /** The worker's metrics (Prometheus), for `/metrics`. */
  readonly metrics: Registry;
  private readonly bull: Worker;
  private readonly counts: Queue;
  private readonly stats: WorkerMetrics;
  private readonly context: SegmentJobContext;
  private readonly encoder = new SegmentEncoder();
  private closing?: Promise<{ drained: boolean }>;
  private closed = false;
  private handingBack = false;
  private handBackAt?: number;
  private handBackTimer?: NodeJS.Timeout;
  /** Jobs whose failure process() has already reported (others fail before it runs: stalled too often). */
  private readonly reported = new Set<string>();

  private constructor(
    private readonly redis: RedisHandle,
    private readonly settings: FastSAMWorkerOptions & Settings,
  ) {
    super();
    const { client } = redis;
    const { queue } = settings;
    this.metrics = settings.registry ?? new Registry();
    // A Queue on the same connection, for the depth and state gauges.
    this.counts = new Queue(queue.name, { connection: client, prefix: queue.prefix, skipMetasUpdate: true });
    this.counts.on('error', (error) => this.report(error));
    this.stats = new WorkerMetrics(this.metrics, settings.model, this.counts);
    this.context = {
      client,
      queue,
      model: settings.model,
      clip: settings.clip,
      encoder: this.encoder,
      maxPixels: settings.maxPixels,
      root: settings.root,
      onStage: (stage, ms) => this.stats.stage(stage, ms),
    };
    this.bull = new Worker(queue.name, (job: Job, token?: string, signal?: AbortSignal) => this.process(job, token, signal), {
      connection: client,
      prefix: queue.prefix,
      name: settings.name,
      concurrency: settings.concurrency,
      lockDuration: settings.lockDurationMs,
      stalledInterval: settings.stalledIntervalMs,
      maxStalledCount: settings.maxStalledCount,
      autorun: false,
    });
    this.bull.on('error', (error) => this.report(error));
    this.bull.on('failed', (job, error) => this.onFailed(job, error));
    // A lock this worker could not renew now belongs to no one: stop the job rather than race its retry.
    this.bull.on('lockRenewalFailed', (ids: string[]) => {
      for (const id of ids) this.bull.cancelJob(id, 'its lock was lost');
    });
  }

  /** Connects (checking Redis), and starts taking jobs. Throws E_BAD_OPTION for bad options, E_REDIS when Redis is unreachable or unfit. */
  static async start(options: FastSAMWorkerOptions): Promise<FastSAMWorker> {
    const settings = checkOptions(options);
    const redis = openRedis(settings.redis, { blocking: true });
    try {
      checkHashTag(redis.client, settings.queue.prefix, settings.queue.name);
    } catch (error) {
      await redis.close();
      throw error;
    }
    await connectAndCheck(redis, settings.connectTimeoutMs);
    const worker = new FastSAMWorker(redis, settings);
    try {
      await worker.bull.waitUntilReady();
    } catch (error) {
      await worker.close({ timeoutMs: 0 });
      throw new FastSAMError('E_REDIS', `the worker could not start: ${(error as Error).message}`, { cause: error });
    }
    worker.bull.run().catch((error: unknown) => worker.report(error));
    return worker;
  }

  /** Whether it takes jobs (false once close() has begun). */
  get running(): boolean {
    return this.closing === undefined && this.bull.isRunning();
  }

  /** Where its Redis is (no password). */
  get redisAddress(): string {
    return this.redis.where;
  }

  /** Jobs it runs at once. */
  get concurrency(): number {
    return this.settings.concurrency;
  }

  /**
   * Stops taking jobs and waits for those running (a drain). After `timeoutMs` (default: no limit), the
   * jobs still running are handed back to the queue, untouched and with no attempt counted, for another
   * worker. Calling it again with a shorter timeout (a second SIGTERM) hands back sooner. Resolves with
   * whether the drain finished every job; the model is the caller's to dispose afterwards.
   */
  close({ timeoutMs }: { timeoutMs?: number } = {}): Promise<{
    /** Whether every running job finished (false when some were handed back). */
    drained: boolean;
  }> {
    if (timeoutMs !== undefined) this.handBackAfter(checkInteger('timeoutMs', timeoutMs, 0, Number.MAX_SAFE_INTEGER));
    this.closing ??= (async () => {
      try {
        await this.bull.close();
      } finally {
        this.closed = true;
        clearTimeout(this.handBackTimer);
        this.stats.close();
        await this.encoder.close().catch(() => undefined);
        await this.counts.close().catch(() => undefined);
        await this.redis.close();
      }
      return { drained: !this.handingBack };
    })();
    return this.closing;
  }

  private handBackAfter(milliseconds: number): void {
    const at = Date.now() + milliseconds;
    if (this.closed || (this.handBackAt !== undefined && this.handBackAt <= at)) return;
    this.handBackAt = at;
    clearTimeout(this.handBackTimer);
    this.handBackTimer = setTimeout(() => {
      this.handingBack = true;
      this.bull.cancelAllJobs(HAND_BACK);
    }, milliseconds);
  }

  private report(error: unknown): void {
    if (this.listenerCount('error') > 0) this.emit('error', error instanceof Error ? error : new Error(String(error)));
  }

  private async process(job: Job, token: string | undefined, signal: AbortSignal | undefined): Promise<JobSummary> {
    const started = performance.now();
    this.stats.taken(job);
    try {
      const summary = await runSegmentJob(this.context, job, signal);
      // The answer is stored: the uploaded image has served its purpose, whatever happens next.
      await dropUpload(this.context.client, this.context.queue, job.id!).catch(() => undefined);
      const ms = performance.now() - started;
      this.stats.attempt(undefined, ms, 'completed', summary.bytes);
      this.emit('completed', { jobId: job.id!, milliseconds: ms, summary });
      return summary;
    } catch (thrown) {
      const ms = performance.now() - started;
      if (this.handingBack && signal?.aborted) {
        // Shutting down past the deadline: back to the queue as it was, no attempt counted.
        await job.moveToWait(token);
        this.stats.attempt('E_ABORTED', ms, 'handed_back');
        throw new WaitingError();
      }
      const error = asFastSAMError(thrown);
      const final = isBadInput(error) || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      this.stats.attempt(error.code, ms, final ? 'failed' : 'retried');
      if (this.reported.size > 10_000) this.reported.clear(); // ids whose failure BullMQ never recorded (lock lost)
      this.reported.add(job.id!);
      this.emit('failed', { jobId: job.id!, milliseconds: ms, error, final });
      throw toJobError(error);
    }
  }

  /** After BullMQ recorded a failure: a job failed for good (attempts or stalls spent) has no use for its upload. */
  private onFailed(job: Job | undefined, error: Error): void {
    if (!job?.id) return;
    if (!this.reported.delete(job.id)) {
      // Failed without running here: it lost its workers more than maxStalledCount times.
      const failure = asFastSAMError(error);
      this.stats.attempt(failure.code, 0, 'failed');
      this.emit('failed', { jobId: job.id, milliseconds: 0, error: failure, final: true });
    }
    if (job.finishedOn !== undefined) {
      dropUpload(this.context.client, this.context.queue, job.id).catch((failure: unknown) => this.report(failure));
    }
  }
}
