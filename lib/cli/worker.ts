/**
 * fastsam worker model=M redis=redis://HOST:PORT queue=NAME [concurrency=N] [backend=...]: loads the
 * model with dynamic batching, checks Redis, prints a line with `worker ready`, answers jobs until
 * SIGTERM or SIGINT, then drains: takes no new job, finishes those running, disposes the model and exits
 * 0 (1 when drain_timeout_ms ran out and running jobs were handed back to the queue). One worker process
 * per GPU; BullMQ (and its load) is only required when this command runs.
 */
import { ClipScorer } from '../clip/scorer';
import { type FastSAMError, messageOf } from '../errors';
import type { CommandSchema, KeySpec, ParsedKeys } from '../options/key-schema';
import { BACKEND_KEYS, MODEL_KEY, backendOptionsFromKeys } from '../options/keys';
import { FastSAM, type LoadOptions } from '../pipeline/fastsam';
import type { FastSAMWorker, MetricsServer, RedisTarget } from '../queue';

/** Where the queue is: shared by `fastsam worker` and `fastsam enqueue`. */
export const QUEUE_KEYS: Record<string, KeySpec> = {
  redis: { kind: 'string', help: "the queue's Redis: redis://[user:password@]HOST:PORT[/DB] (rediss:// for TLS)", required: true },
  queue: { kind: 'string', help: 'queue name; on Redis Cluster hash-tag it: {fastsam}', required: true },
  cluster: { kind: 'boolean', help: 'Redis Cluster: redis= lists some of its nodes, separated by commas', default: 'false' },
  prefix: { kind: 'string', help: 'Redis key prefix of the queue', default: 'bull' },
  connect_timeout_ms: { kind: 'integer', help: 'how long reaching Redis at start may take', default: '10000' },
};

export const WORKER_SCHEMA: CommandSchema = {
  name: 'worker',
  summary: 'answer segment jobs from a Redis queue (BullMQ) until SIGTERM/SIGINT, then drain and exit',
  usage: 'model=MODEL.onnx redis=redis://HOST:PORT queue=NAME [key=value ...] [--json]',
  keys: {
    ...MODEL_KEY,
    ...QUEUE_KEYS,
    concurrency: { kind: 'integer', help: "jobs at once; they share the model's batches (about 2 x max_batch on a GPU)", default: '4' },
    ...BACKEND_KEYS,
    max_batch: { kind: 'integer', help: 'most images per network run (models with a batch axis)', default: "the backend's, at most 8" },
    max_queue_delay_ms: { kind: 'number', help: 'how long a job may wait for company in a batch', default: '2' },
    max_pixels: { kind: 'integer', help: 'refuse larger images before decoding', default: '16383²' },
    clip: { kind: 'path', help: 'CLIP encoders and vocabulary, for jobs with text prompts' },
    root: { kind: 'path', help: 'serve only image paths inside this folder (the shared storage)' },
    lock_duration_ms: { kind: 'integer', help: "a running job's lock, renewed every half of it", default: '30000' },
    stalled_interval_ms: { kind: 'integer', help: 'how often to look for jobs whose worker died', default: '15000' },
    max_stalled: { kind: 'integer', help: 'times a job may lose its worker before it fails', default: '1' },
    drain_timeout_ms: { kind: 'integer', help: 'on SIGTERM: time to finish running jobs, then hand them back', default: 'no limit' },
    metrics_port: { kind: 'integer', help: 'serve /metrics and /health/* on this port (0: any free port)' },
    metrics_host: { kind: 'string', help: 'address for metrics_port (0.0.0.0 for a scraper on another host)', default: '127.0.0.1' },
    name: { kind: 'string', help: 'worker name stored on the jobs it runs', default: 'host:pid' },
  },
  flags: { json: 'one JSON line per job on stdout (completed or failed)' },
  notes: [
    'The worker reads image paths on its own machine: producers must name shared storage (or upload the bytes).',
    'A second SIGTERM/SIGINT hands the running jobs back to the queue at once. Reliability settings: docs/queue.md.',
  ],
};

/** redis= as the queue takes it: one URL, or with cluster=true the URLs of some Redis Cluster nodes. */
export function redisTarget(keys: ParsedKeys): RedisTarget {
  const redis = keys.redis as string;
  return keys.cluster ? { cluster: redis.split(',').map((url) => url.trim()) } : redis;
}

/** After a second signal, how long handing jobs back may take before the process exits anyway. */
const HAND_BACK_DEADLINE_MS = 10_000;

/**
 * Handing jobs back needs Redis: with Redis away it never ends, and a deadline or a second signal must
 * not hang the process. Past `milliseconds`, exit anyway; the jobs are retried once their locks expire.
 */
function exitAfter(milliseconds: number): void {
  setTimeout(() => {
    console.error(
      'fastsam worker: could not hand the running jobs back (is Redis reachable?); exiting: they are retried once their locks expire',
    );
    process.exit(1);
  }, milliseconds).unref();
}

/** Resolves on the first SIGINT or SIGTERM; `again` runs on each later one. */
function stopSignals(again: () => void): { stopped: Promise<NodeJS.Signals>; seen: () => boolean; dispose: () => void } {
  let first: ((signal: NodeJS.Signals) => void) | undefined;
  const stopped = new Promise<NodeJS.Signals>((resolve) => (first = resolve));
  let seen = false;
  const on = (signal: NodeJS.Signals) => {
    if (seen) return again();
    seen = true;
    first!(signal);
  };
  process.on('SIGINT', on);
  process.on('SIGTERM', on);
  return {
    stopped,
    seen: () => seen,
    dispose: () => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
    },
  };
}

function loadOptions(keys: ParsedKeys, concurrency: number): LoadOptions {
  return {
    ...backendOptionsFromKeys(keys),
    dynamicBatching: {
      ...(keys.max_batch !== undefined ? { maxBatch: keys.max_batch as number } : {}),
      ...(keys.max_queue_delay_ms !== undefined ? { maxQueueDelayMs: keys.max_queue_delay_ms as number } : {}),
      // Every job the worker holds must fit in the model's queue: it never refuses its own jobs.
      maxQueue: Math.max(256, concurrency),
    },
  };
}

function logJobs(worker: FastSAMWorker, json: boolean): void {
  worker.on('completed', ({ jobId, milliseconds, summary }) => {
    if (json) console.log(JSON.stringify({ event: 'completed', jobId, ms: Math.round(milliseconds), ...summary }));
  });
  worker.on('failed', ({ jobId, milliseconds, error, final }) => {
    const then = final ? 'failed' : 'will retry';
    if (json)
      console.log(
        JSON.stringify({ event: 'failed', jobId, ms: Math.round(milliseconds), code: error.code, message: error.message, final }),
      );
    else console.error(`fastsam worker: job ${jobId}: ${error.message} [${error.code}] (${then})`);
  });
  worker.on(
    'error',
    quietly((message) => console.error(`fastsam worker: ${message}`)),
  );
}

/** One line per distinct problem: Redis away fails every reconnection, which must not flood the log. */
function quietly(print: (message: string) => void): (error: Error) => void {
  let last = '';
  let lastAt = 0;
  let repeats = 0;
  return (error) => {
    const message = messageOf(error);
    const now = Date.now();
    if (message === last && now - lastAt < 60_000) {
      repeats++;
      return;
    }
    print(repeats > 0 && message === last ? `${message} (and ${repeats} more times)` : message);
    [last, lastAt, repeats] = [message, now, 0];
  };
}

export async function workerCommand(keys: ParsedKeys, flags: Set<string>): Promise<number> {
  let handBackNow = () => undefined as void;
  const signals = stopSignals(() => handBackNow());
  const concurrency = (keys.concurrency as number | undefined) ?? 4;
  let model: FastSAM | undefined;
  let clip: ClipScorer | undefined;
  let worker: FastSAMWorker | undefined;
  let metrics: MetricsServer | undefined;
  try {
    // First: without bullmq and ioredis installed, say so before loading a model.
    const { FastSAMWorker, startMetricsServer } = await import('../queue');
    model = await FastSAM.load(keys.model as string, loadOptions(keys, concurrency));
    clip = keys.clip ? await ClipScorer.load(keys.clip as string) : undefined;
    if (signals.seen()) return 0; // stopped while loading: never take a job
    worker = await FastSAMWorker.start({
      redis: redisTarget(keys),
      queue: keys.queue as string,
      ...(keys.prefix !== undefined ? { prefix: keys.prefix as string } : {}),
      model,
      clip,
      concurrency,
      ...(keys.lock_duration_ms !== undefined ? { lockDurationMs: keys.lock_duration_ms as number } : {}),
      ...(keys.stalled_interval_ms !== undefined ? { stalledIntervalMs: keys.stalled_interval_ms as number } : {}),
      ...(keys.max_stalled !== undefined ? { maxStalledCount: keys.max_stalled as number } : {}),
      ...(keys.max_pixels !== undefined ? { maxPixels: keys.max_pixels as number } : {}),
      ...(keys.root !== undefined ? { root: keys.root as string } : {}),
      ...(keys.name !== undefined ? { name: keys.name as string } : {}),
      ...(keys.connect_timeout_ms !== undefined ? { connectTimeoutMs: keys.connect_timeout_ms as number } : {}),
    });
    const running = worker;
    handBackNow = () => {
      console.error('fastsam worker: second signal: handing the running jobs back to the queue');
      void running.close({ timeoutMs: 0 });
      exitAfter(HAND_BACK_DEADLINE_MS);
    };
    logJobs(worker, flags.has('json'));
    if (keys.metrics_port !== undefined) {
      metrics = await startMetricsServer(worker.metrics, {
        host: (keys.metrics_host as string | undefined) ?? '127.0.0.1',
        port: keys.metrics_port as number,
        ready: () => running.running,
      });
    }
    const batching = model.batching ? 'on' : 'off (the model has a fixed batch of 1)';
    console.log(
      `worker ready: queue ${keys.queue} on ${worker.redisAddress}, concurrency ${concurrency}, backend ${model.backendName}, ` +
        `dynamic batching ${batching}${metrics ? `, metrics ${metrics.url}/metrics` : ''}`,
    );
    const signal = await signals.stopped;
    console.error(`fastsam worker: ${signal}: draining (no new jobs; finishing those running)`);
    const drainTimeoutMs = keys.drain_timeout_ms as number | undefined;
    if (drainTimeoutMs !== undefined) exitAfter(drainTimeoutMs + HAND_BACK_DEADLINE_MS);
    const { drained } = await worker.close(drainTimeoutMs !== undefined ? { timeoutMs: drainTimeoutMs } : {});
    if (!drained) console.error('fastsam worker: jobs still running were handed back to the queue');
    return drained ? 0 : 1;
  } finally {
    signals.dispose();
    await worker?.close({ timeoutMs: 0 }).catch((error: FastSAMError) => console.error(`fastsam worker: ${error.message}`));
    await metrics?.close();
    await Promise.all([model?.dispose(), clip?.dispose()]);
  }
}
