/**
 * A submitted job, as its producer holds it: its id (keep it to ask again later, from any process), its
 * answer, its state and progress while it runs.
 */
import type { JobProgress, Queue } from 'bullmq';
import { FastSAMError, messageOf } from '../errors';
import type { SegmentAnswer } from '../formats/segment-answer';
import { checkOptionsObject, checkKnownKeys, invalid } from '../options/check';
import type { JobEnd, ResultWaiters } from './result-waiters';

/** Where a job is: BullMQ's states, or 'unknown' (never submitted, or completed and removed with its answer stored). */
export type FastSAMJobState = 'waiting' | 'prioritized' | 'delayed' | 'active' | 'completed' | 'failed' | 'waiting-children' | 'unknown';

/**
 * A submitted job, as a producer holds it: its id (keep it to ask again later, from any process), its answer, state and progress.
 * From FastSAMQueue.submit() or job().
 */
export class FastSAMJob {
  private end?: JobEnd;

  /** @internal Jobs come from FastSAMQueue.submit() and job(). */
  constructor(
    /** The job id (a UUID unless the producer chose it). */
    readonly id: string,
    private readonly bull: Queue,
    private readonly waiters: ResultWaiters,
  ) {}

  /**
   * The answer, as POST /v1/segment gives it: `{ image, detections: [{ box, score, class, name, mask:
   * { size, counts } }], speed }`. Waits for the job to end; the answer leaves Redis as it is read
   * (this handle keeps it: call again for the same object). Rejects with the worker's FastSAMError when
   * the job failed, E_RESULT_GONE when its answer was read elsewhere or expired, E_ABORTED when
   * `signal` fires (the job goes on; a later call can still get the answer).
   */
  async result(options: { signal?: AbortSignal } = {}): Promise<SegmentAnswer> {
    const { signal } = checkOptionsObject('result options', options) as { signal?: AbortSignal };
    checkKnownKeys('result option', options, ['signal']);
    if (signal !== undefined && !(signal instanceof AbortSignal)) invalid('signal', 'an AbortSignal', signal);
    this.end ??= await this.waiters.wait(this.id, signal);
    if ('error' in this.end) throw this.end.error;
    return this.end.answer;
  }

  /** Where the job is now. */
  async state(): Promise<FastSAMJobState> {
    try {
      return (await this.bull.getJobState(this.id)) as FastSAMJobState;
    } catch (error) {
      throw new FastSAMError('E_REDIS', `cannot read the state of job ${this.id}: ${messageOf(error)}`, { cause: error });
    }
  }

  /** The progress its worker last reported (e.g. `{ stage: 'predicted', detections: 12 }`), or undefined. */
  async progress(): Promise<JobProgress | undefined> {
    try {
      const job = await this.bull.getJob(this.id);
      return job?.progress;
    } catch (error) {
      throw new FastSAMError('E_REDIS', `cannot read the progress of job ${this.id}: ${messageOf(error)}`, { cause: error });
    }
  }
}
