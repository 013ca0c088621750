/**
 * The queue's defaults and caps, with the reasoning behind each (docs/queue.md repeats it for operators).
 *
 * Locks and stalled jobs. A worker holds a lock on each job it runs and renews it every
 * lockDuration / 2 from its event loop. Inference runs off the event loop (worker threads on the CPU,
 * native async work on the GPU) and mask encoding yields between slices, so renewal keeps its pace
 * however long a batch takes: the lock duration does not have to cover the job, only the longest stall
 * of the event loop or of the network to Redis. When a worker dies, its locks expire within
 * lockDuration and the next stalled check (every stalledInterval, run by any live worker) puts its jobs
 * back in the queue, so a job is retried by another worker at most lockDuration + stalledInterval after
 * the death: 45 s with these defaults. Shorter values recover faster but turn a long GC pause or a
 * Redis fail-over into spurious retries; 30 s is BullMQ's default and is kept.
 */
export const QUEUE_DEFAULTS = Object.freeze({
  /** Lock on a running job, renewed every half of it. */
  lockDurationMs: 30_000,
  /** How often workers look for jobs whose lock expired (BullMQ's default is 30 s; 15 s recovers sooner). */
  stalledIntervalMs: 15_000,
  /**
   * Times a job may be found stalled (its worker died or froze) before it fails with E_JOB_FAILED: an
   * image that kills every worker it lands on (out of memory) must not take the whole fleet down.
   */
  maxStalledCount: 1,
  /** Jobs a worker runs at once: they meet in the model's dynamic batching. */
  concurrency: 4,
  /** Tries of a job that fails for a transient reason (Redis, the backend, a busy model, shared storage). */
  attempts: 3,
  /** First retry delay; each next one doubles (exponential backoff). */
  backoffMs: 1000,
  /** How long an unread result stays in Redis. A result is deleted as soon as it is read. */
  resultTtlMs: 60 * 60 * 1000,
  /** How long an uploaded image waits for a worker before it expires (its job then fails with E_BAD_SOURCE). */
  imageTtlMs: 24 * 60 * 60 * 1000,
  /** Largest encoded image a producer uploads. */
  maxImageBytes: 20 * 1024 * 1024,
  /** Failed jobs kept for inspection (with their reason), and for how long. */
  keepFailed: {
    /** Most failed jobs kept. */
    count: 1000,
    /** How long each is kept, in ms. */
    ageMs: 24 * 60 * 60 * 1000,
  },
  /** Jobs submitMany() keeps submitted and unanswered at once. */
  maxInFlight: 64,
  /** How often a waiting result() checks Redis itself, in case a completion event was missed. */
  pollIntervalMs: 5000,
  /** How long connecting to Redis may take at start before E_REDIS. */
  connectTimeoutMs: 10_000,
});

/** Key prefix of every queue (BullMQ's default). */
export const DEFAULT_PREFIX = 'bull';

/** Caps on what one job may carry, so a job stays small in Redis. */
export const JOB_LIMITS = Object.freeze({
  /** Longest path or file: URI. */
  maxPathLength: 4096,
  /** Most texts in one prompt (boxes and points have the prompt rules' own caps). */
  maxPrompts: 1000,
  /** Longest text prompt. */
  maxTextLength: 1000,
  /** Longest custom job id. */
  maxJobIdLength: 128,
});
