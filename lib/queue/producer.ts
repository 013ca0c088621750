/**
 * FastSAMQueue: submits images to the workers of a BullMQ queue and gets their answers back.
 *
 *   const queue = new FastSAMQueue({ redis: 'redis://redis:6379', queue: 'fastsam' });
 *   const job = await queue.submit(fs.readFileSync('bus.jpg'), { conf: 0.5, prompt: { bboxes: [[10, 20, 300, 400]] } });
 *   const answer = await job.result();  // the JSON of POST /v1/segment
 *   for await (const item of queue.submitMany(paths)) ...   // at most maxInFlight jobs out at once
 *   await queue.close();
 *
 * A source is either the encoded image (a Buffer, uploaded to Redis beside the job, at most
 * maxImageBytes) or an absolute path or file: URI that the WORKERS read, on their own machines: it must
 * name shared storage, and this process never opens it. Jobs are retried with exponential backoff when
 * they fail for a transient reason, never for bad input; answers wait in Redis for resultTtlMs and
 * leave it as they are read.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { type JobProgress, type JobsOptions, Queue, QueueEvents } from 'bullmq';
import { Cluster, type Redis } from 'ioredis';
import { FastSAMError, messageOf } from '../errors';
import { checkInteger, checkKnownKeys, checkOptionsObject, invalid, is } from '../options/check';
import { fromFailedReason } from './failure';
import { FastSAMJob } from './job';
import {
  checkJobOptions,
  checkPathSource,
  checkPrompt,
  JOB_DATA_VERSION,
  JOB_OPTION_KEYS,
  type JobPredictOptions,
  type JobSource,
  SEGMENT_JOB,
  type SegmentJobData,
  type SegmentPrompt,
} from './job-data';
import { checkJobId, checkQueueName, imageKey, type QueueName } from './keys';
import { checkHashTag, connectAndCheck, openRedis, type RedisClient, type RedisHandle, type RedisTarget } from './redis';
import { ResultWaiters } from './result-waiters';
import { DEFAULT_PREFIX, QUEUE_DEFAULTS } from './settings';
import { submitMany, type QueueItem, type QueueOutcome } from './submit-many';

/** Options of the FastSAMQueue constructor: where the queue is, and how its jobs are retried and kept. */
export interface FastSAMQueueOptions {
  /** Where the queue lives: a redis:// URL, ioredis options, { cluster: [URLs] }, or an ioredis client you keep and close. */
  redis: RedisTarget;
  /** The queue's name (on Redis Cluster, hash-tagged: `{fastsam}`). */
  queue: string;
  /** Redis key prefix of the queue. Default 'bull'. */
  prefix?: string;
  /** Tries per job when it fails for a transient reason (bad input is never retried). Default 3. */
  attempts?: number;
  /** First retry delay; each next one doubles. Default 1000. */
  backoffMs?: number;
  /** How long an unread answer stays in Redis. Default 1 hour. */
  resultTtlMs?: number;
  /** How long an uploaded image waits for a worker. Default 24 hours. */
  imageTtlMs?: number;
  /** Largest Buffer accepted. Default 20 MiB. */
  maxImageBytes?: number;
  /** Failed jobs kept in Redis with their reason (BullMQ's failed set). Default 1000, for 24 hours. */
  keepFailed?: {
    /** Most failed jobs kept. Default 1000. */
    count?: number;
    /** How long a failed job is kept, in ms (at least 1000). Default 24 hours. */
    ageMs?: number;
  };
  /** How often a waiting result() looks in Redis itself, besides events. Default 5000. */
  pollIntervalMs?: number;
  /** How long reaching Redis at start may take. Default 10000. */
  connectTimeoutMs?: number;
}

/** What one job asks for: predict options, a prompt, and how the queue should treat it. */
export interface SubmitOptions extends JobPredictOptions {
  /** Applied by the worker with FastSAMPrompt: boxes, then texts, then points (the reference's priority). */
  prompt?: SegmentPrompt;
  /** Your own id: a second submit with the same id, while the first is in Redis, adds nothing. Default: a UUID. */
  jobId?: string;
  /** 1 (first) to 2097151; jobs without one go before all prioritized jobs (BullMQ's rule). */
  priority?: number;
}

/** Options of submitMany(): those of submit() for every item (an item may override them), and the in-flight bound. */
export interface SubmitManyOptions extends Omit<SubmitOptions, 'jobId'> {
  /** Jobs submitted and not yet answered, at most. Default 64. */
  maxInFlight?: number;
}

/** An encoded image, or an absolute path / file: URI that the workers read. */
export type QueueSource = string | Buffer | Uint8Array;

/** Events of the whole queue (every producer's jobs), as BullMQ reports them. */
export interface FastSAMQueueEvents {
  /** A worker took a job. */
  active: [
    {
      /** The job's id. */
      jobId: string;
    },
  ];
  /** A worker reported a job's progress (its stage). */
  progress: [
    {
      /** The job's id. */
      jobId: string;
      /** What the worker reported, as BullMQ carries it. */
      progress: JobProgress;
    },
  ];
  /** A job's answer is ready (read it with job.result()). */
  completed: [
    {
      /** The job's id. */
      jobId: string;
    },
  ];
  /** A job failed for good, with its worker's error. */
  failed: [
    {
      /** The job's id. */
      jobId: string;
      /** The worker's error, with its code (E_JOB_FAILED when it had none). */
      error: FastSAMError;
    },
  ];
  /** A job's worker died or froze: it goes back to the queue. */
  stalled: [
    {
      /** The job's id. */
      jobId: string;
    },
  ];
  /** Trouble with the event connection; emitted only when someone listens. */
  error: [Error];
}

const SUBMIT_KEYS = [...JOB_OPTION_KEYS, 'prompt', 'jobId', 'priority'] as const;
const QUEUE_KEYS = [
  'redis',
  'queue',
  'prefix',
  'attempts',
  'backoffMs',
  'resultTtlMs',
  'imageTtlMs',
  'maxImageBytes',
  'keepFailed',
  'pollIntervalMs',
  'connectTimeoutMs',
] as const;
const DAY_MS = 24 * 60 * 60 * 1000;

interface Settings {
  queue: QueueName;
  attempts: number;
  backoffMs: number;
  resultTtlMs: number;
  imageTtlMs: number;
  maxImageBytes: number;
  keepFailed: { count: number; ageMs: number };
  pollIntervalMs: number;
  connectTimeoutMs: number;
}

function checkQueueOptions(value: unknown): Settings {
  const o = checkOptionsObject('queue options', value) as unknown as FastSAMQueueOptions;
  checkKnownKeys('queue option', o, QUEUE_KEYS);
  const d = QUEUE_DEFAULTS;
  const keep = checkOptionsObject('keepFailed', o.keepFailed) as FastSAMQueueOptions['keepFailed'] & object;
  checkKnownKeys('keepFailed option', keep, ['count', 'ageMs']);
  return {
    queue: checkQueueName(o.queue, o.prefix ?? DEFAULT_PREFIX),
    attempts: checkInteger('attempts', o.attempts ?? d.attempts, 1, 100),
    backoffMs: checkInteger('backoffMs', o.backoffMs ?? d.backoffMs, 0, DAY_MS),
    resultTtlMs: checkInteger('resultTtlMs', o.resultTtlMs ?? d.resultTtlMs, 1, 365 * DAY_MS),
    imageTtlMs: checkInteger('imageTtlMs', o.imageTtlMs ?? d.imageTtlMs, 1, 365 * DAY_MS),
    maxImageBytes: checkInteger('maxImageBytes', o.maxImageBytes ?? d.maxImageBytes, 1, 512 * 1024 * 1024),
    keepFailed: {
      count: checkInteger('keepFailed.count', keep.count ?? d.keepFailed.count, 0, 10_000_000),
      ageMs: checkInteger('keepFailed.ageMs', keep.ageMs ?? d.keepFailed.ageMs, 1000, 365 * DAY_MS),
    },
    pollIntervalMs: checkInteger('pollIntervalMs', o.pollIntervalMs ?? d.pollIntervalMs, 10, DAY_MS),
    connectTimeoutMs: checkInteger('connectTimeoutMs', o.connectTimeoutMs ?? d.connectTimeoutMs, 1, DAY_MS),
  };
}

/** A connection of its own for the event stream: BullMQ blocks on it (XREAD), and needs retries without end. */
function eventConnection(client: RedisClient): RedisClient {
  if (client instanceof Cluster) {
    return client.duplicate(undefined, { redisOptions: { ...client.options.redisOptions, maxRetriesPerRequest: null } });
  }
  return (client as Redis).duplicate({ maxRetriesPerRequest: null });
}

interface Started {
  redis: RedisHandle;
  bull: Queue;
  events: QueueEvents;
  eventsClient: RedisClient;
  waiters: ResultWaiters;
}

/**
 * The producer side of a segment queue: submits images (bytes, or paths the workers can read) to FastSAMWorkers over Redis
 * (BullMQ) and gets their answers back, as POST /v1/segment gives them. Bad input fails at submit() with the library's codes; an
 * unreachable or unfit Redis gives E_REDIS.
 */
export class FastSAMQueue extends EventEmitter<FastSAMQueueEvents> {
  private readonly settings: Settings;
  private readonly redis: RedisHandle;
  private readonly started: Promise<Started>;
  private closing?: Promise<void>;

  /** Checks the options now; connects (and checks Redis) in the background: see ready(). */
  constructor(options: FastSAMQueueOptions) {
    super();
    this.settings = checkQueueOptions(options);
    this.redis = openRedis(options.redis, { blocking: false });
    checkHashTag(this.redis.client, this.settings.queue.prefix, this.settings.queue.name);
    this.started = this.start();
    this.started.catch(() => undefined); // reported by ready(), submit() and friends
  }

  /** Resolves once connected to a fit Redis; rejects with E_REDIS otherwise. */
  async ready(): Promise<void> {
    await this.connection();
  }

  /** The queue's name and prefix. */
  get name(): QueueName {
    return this.settings.queue;
  }

  /** Submits one image. The returned job gives its answer with job.result(). */
  async submit(source: QueueSource, options: SubmitOptions = {}): Promise<FastSAMJob> {
    const given = checkOptionsObject('submit options', options) as SubmitOptions;
    checkKnownKeys('submit option', given, SUBMIT_KEYS);
    const { prompt, jobId, priority, ...predict } = given;
    const id = jobId === undefined ? randomUUID() : checkJobId(jobId);
    const data: Omit<SegmentJobData, 'source'> = {
      v: JOB_DATA_VERSION,
      options: checkJobOptions(predict),
      ...(prompt !== undefined ? { prompt: checkPrompt(prompt) } : {}),
      resultTtlMs: this.settings.resultTtlMs,
    };
    const jobOptions = this.jobOptions(id, priority === undefined ? undefined : checkInteger('priority', priority, 1, 2_097_151));
    const image = this.checkSource(source);
    const { redis, bull, waiters } = await this.connection();
    const jobSource: JobSource = typeof image === 'string' ? { path: image } : { upload: { bytes: image.length } };
    try {
      if (typeof image !== 'string') {
        // NX: resubmitting a job id that is still queued keeps the bytes its job was given.
        await redis.client.set(imageKey(this.settings.queue, id), image, 'PX', this.settings.imageTtlMs, 'NX');
      }
      await bull.add(SEGMENT_JOB, { ...data, source: jobSource }, jobOptions);
    } catch (error) {
      throw new FastSAMError('E_REDIS', `cannot submit the job: ${messageOf(error)}`, { cause: error });
    }
    return new FastSAMJob(id, bull, waiters);
  }

  /**
   * Submits many images and yields their answers as they come (not in input order: `index` tells
   * which), keeping at most `maxInFlight` jobs out at once, so a million paths never become a million
   * jobs in Redis or promises here. An item's own failure (bad input, a failed job) is yielded as its
   * `error`; the loop goes on. Stopping early (break) removes the jobs not yet started.
   */
  submitMany(items: Iterable<QueueItem> | AsyncIterable<QueueItem>, options: SubmitManyOptions = {}): AsyncGenerator<QueueOutcome> {
    const { maxInFlight, ...shared } = checkOptionsObject('submitMany options', options) as SubmitManyOptions;
    if ('jobId' in shared) invalid('submitMany option jobId', 'given per item ({ source, options: { jobId } })', shared.jobId);
    const limit = checkInteger('maxInFlight', maxInFlight ?? QUEUE_DEFAULTS.maxInFlight, 1, 100_000);
    return submitMany(items, limit, {
      submit: (source, own) => this.submit(source, { ...shared, ...own }),
      cancel: (ids) => this.cancelWaiting(ids),
    });
  }

  /** A handle to a job submitted earlier (by this process or another), e.g. to get its answer. */
  async job(id: string): Promise<FastSAMJob> {
    checkJobId(id);
    const { bull, waiters } = await this.connection();
    return new FastSAMJob(id, bull, waiters);
  }

  /** Jobs in Redis by state (the whole queue). */
  async counts(): Promise<Record<string, number>> {
    const { bull } = await this.connection();
    try {
      return await bull.getJobCounts('waiting', 'prioritized', 'delayed', 'active', 'failed');
    } catch (error) {
      throw new FastSAMError('E_REDIS', `cannot count the jobs: ${messageOf(error)}`, { cause: error });
    }
  }

  /** Stops every wait (E_DISPOSED) and closes the connections. Jobs already submitted go on. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      let started: Started;
      try {
        started = await this.started;
      } catch {
        return;
      }
      started.waiters.close(new FastSAMError('E_DISPOSED', 'the queue was closed'));
      await started.events.close().catch(() => undefined);
      await started.bull.close().catch(() => undefined);
      started.eventsClient.disconnect();
      await started.redis.close();
    })();
    return this.closing;
  }

  private async connection(): Promise<Started> {
    if (this.closing) throw new FastSAMError('E_DISPOSED', 'the queue was closed');
    return this.started;
  }

  private checkSource(source: unknown): string | Buffer {
    if (is.string(source)) return checkPathSource(source);
    if (source instanceof Uint8Array) {
      if (source.length === 0) invalid('source', 'a non-empty image', source, 'E_BAD_SOURCE');
      if (source.length > this.settings.maxImageBytes) {
        throw new FastSAMError(
          'E_IMAGE_TOO_LARGE',
          `the image is ${source.length} bytes, over maxImageBytes ${this.settings.maxImageBytes} (raise it, or pass a path on shared storage)`,
        );
      }
      return Buffer.isBuffer(source) ? source : Buffer.from(source.buffer, source.byteOffset, source.byteLength);
    }
    return invalid('source', 'an encoded image (Buffer) or an absolute path or file: URI the workers can read', source, 'E_BAD_SOURCE');
  }

  private jobOptions(jobId: string, priority: number | undefined): JobsOptions {
    const { attempts, backoffMs, keepFailed } = this.settings;
    return {
      jobId,
      attempts,
      backoff: { type: 'exponential', delay: backoffMs },
      // The answer is stored beside the job; the completed job itself is of no further use.
      removeOnComplete: true,
      removeOnFail: { count: keepFailed.count, age: Math.ceil(keepFailed.ageMs / 1000) },
      ...(priority !== undefined ? { priority } : {}),
    };
  }

  /** Removes jobs that no worker has taken yet (and their uploads); running ones finish, their answers expire. */
  private async cancelWaiting(ids: string[]): Promise<void> {
    const { bull, redis } = await this.connection();
    await Promise.all(
      ids.map(async (id) => {
        const removed = await bull.remove(id).catch(() => 0);
        if (removed === 1) await redis.client.del(imageKey(this.settings.queue, id)).catch(() => 0);
      }),
    );
  }

  private async start(): Promise<Started> {
    const { queue, pollIntervalMs, connectTimeoutMs } = this.settings;
    const { redis } = this;
    await connectAndCheck(redis, connectTimeoutMs);
    const eventsClient = eventConnection(redis.client);
    eventsClient.on('error', () => undefined);
    try {
      const bull = new Queue(queue.name, { connection: redis.client, prefix: queue.prefix });
      bull.on('error', (error) => this.report(error));
      // Events from now on, even those published before the blocking read begins.
      const [last] = await redis.client.xrevrange(`${queue.prefix}:${queue.name}:events`, '+', '-', 'COUNT', 1);
      const events = new QueueEvents(queue.name, { connection: eventsClient, prefix: queue.prefix, lastEventId: last?.[0] ?? '0-0' });
      const waiters = new ResultWaiters(redis.client, queue, pollIntervalMs);
      events.on('error', (error) => this.report(error));
      events.on('active', ({ jobId }) => this.emit('active', { jobId }));
      events.on('progress', ({ jobId, data }) => this.emit('progress', { jobId, progress: data }));
      events.on('stalled', ({ jobId }) => this.emit('stalled', { jobId }));
      events.on('completed', ({ jobId }) => {
        waiters.completed(jobId);
        this.emit('completed', { jobId });
      });
      events.on('failed', ({ jobId, failedReason }) => {
        waiters.failed(jobId, failedReason);
        this.emit('failed', { jobId, error: fromFailedReason(failedReason) });
      });
      await Promise.all([bull.waitUntilReady(), events.waitUntilReady()]);
      return { redis, bull, events, eventsClient, waiters };
    } catch (error) {
      eventsClient.disconnect();
      await redis.close();
      throw error instanceof FastSAMError
        ? error
        : new FastSAMError('E_REDIS', `cannot open the queue: ${messageOf(error)}`, { cause: error });
    }
  }

  private report(error: unknown): void {
    if (this.listenerCount('error') > 0) this.emit('error', error instanceof Error ? error : new Error(String(error)));
  }
}
