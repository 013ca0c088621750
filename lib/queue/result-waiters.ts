/**
 * Producers waiting for answers. A job's end arrives as an event (BullMQ's event stream: 'completed' or
 * 'failed'), and is also looked up in Redis when a wait begins (the job may be long done) and every
 * poll interval while anyone waits (an event can be missed across a reconnection). Whichever comes
 * first settles the job once for every waiter in this process: its answer is taken from Redis (and so
 * removed), or its failure read back as a FastSAMError.
 */
import { FastSAMError, messageOf } from '../errors';
import type { SegmentAnswer } from '../formats/segment-answer';
import { fromFailedReason } from './failure';
import { jobKey, type QueueName, resultKey } from './keys';
import type { RedisClient } from './redis';
import { takeAnswer } from './results';

/** How a job ended, as a waiter learns it. */
export type JobEnd = { answer: SegmentAnswer } | { error: FastSAMError };

interface Waiter {
  settle(end: JobEnd): void;
}

const gone = (id: string) =>
  new FastSAMError(
    'E_RESULT_GONE',
    `job ${id} has no answer to give: it was already read, it expired (resultTtlMs), or the job is unknown`,
  );

export class ResultWaiters {
  private readonly pending = new Map<string, Set<Waiter>>();
  /** Ids being settled right now (an event and a poll may race)... */
  private readonly settling = new Set<string>();
  /** ...and those to look at again when that is done, because news came meanwhile. */
  private readonly again = new Set<string>();
  private timer?: NodeJS.Timeout;
  private closedWith?: FastSAMError;

  constructor(
    private readonly client: RedisClient,
    private readonly queue: QueueName,
    private readonly pollIntervalMs: number,
  ) {}

  /** Waits for job `id` to end. Aborting stops this wait only; the job goes on, its answer stays for a later wait. */
  wait(id: string, signal?: AbortSignal): Promise<JobEnd> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    if (signal?.aborted) return Promise.reject(new FastSAMError('E_ABORTED', `stopped waiting for job ${id}`));
    return new Promise<JobEnd>((resolve, reject) => {
      const onAbort = () => {
        this.remove(id, waiter);
        reject(new FastSAMError('E_ABORTED', `stopped waiting for job ${id}`));
      };
      const waiter: Waiter = {
        settle: (end) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(end);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      let waiters = this.pending.get(id);
      if (!waiters) this.pending.set(id, (waiters = new Set()));
      waiters.add(waiter);
      this.schedulePoll();
      void this.check(id);
    });
  }

  /** The 'completed' event of a job: take its answer, if anyone here waits for it. */
  completed(id: string): void {
    if (this.pending.has(id)) void this.settleWith(id, () => this.take(id));
  }

  /** The 'failed' event of a job (a final failure: retries are 'delayed' or 'waiting' events). */
  failed(id: string, reason: string | undefined): void {
    if (this.pending.has(id)) void this.settleWith(id, async () => ({ error: fromFailedReason(reason) }));
  }

  /** Ends every wait with `error` (the queue is closing); later waits fail with it at once. */
  close(error: FastSAMError): void {
    this.closedWith = error;
    clearTimeout(this.timer);
    for (const waiters of this.pending.values()) for (const waiter of waiters) waiter.settle({ error });
    this.pending.clear();
  }

  private remove(id: string, waiter: Waiter): void {
    const waiters = this.pending.get(id);
    waiters?.delete(waiter);
    if (waiters?.size === 0) this.pending.delete(id);
  }

  private async take(id: string): Promise<JobEnd> {
    const json = await takeAnswer(this.client, resultKey(this.queue, id), jobKey(this.queue, id));
    if (json === null) return { error: gone(id) };
    try {
      return { answer: JSON.parse(json) as SegmentAnswer };
    } catch (error) {
      return { error: new FastSAMError('E_JOB_FAILED', `job ${id} stored an answer that is not JSON: ${messageOf(error)}`) };
    }
  }

  /** Looks the job up: answered, failed for good, gone, or still on its way (undefined). */
  private async lookUp(id: string): Promise<JobEnd | undefined> {
    const replies = await this.client
      .multi()
      .exists(resultKey(this.queue, id))
      .hmget(jobKey(this.queue, id), 'finishedOn', 'failedReason')
      .exists(jobKey(this.queue, id))
      .exec();
    if (!replies || replies.some(([error]) => error)) {
      const error = replies?.find(([e]) => e)?.[0];
      throw new FastSAMError('E_REDIS', `cannot look up job ${id}: ${error ? error.message : 'the transaction was aborted'}`);
    }
    const [[, answered], [, fields], [, exists]] = replies as [unknown, unknown][];
    const [finishedOn, failedReason] = fields as (string | null)[];
    if (answered === 1) return this.take(id);
    if (finishedOn && failedReason !== null) return { error: fromFailedReason(failedReason) };
    // Completed jobs are removed once their answer is stored: no job and no answer means nothing will come.
    if (exists === 0) return { error: gone(id) };
    return undefined;
  }

  private async check(id: string): Promise<void> {
    await this.settleWith(id, () => this.lookUp(id));
  }

  private async settleWith(id: string, find: () => Promise<JobEnd | undefined>): Promise<void> {
    if (this.settling.has(id)) {
      this.again.add(id);
      return;
    }
    this.settling.add(id);
    let end: JobEnd | undefined;
    try {
      end = await find();
    } catch (error) {
      // Redis trouble: waits go on, and the next poll tries again.
      if (!(error instanceof FastSAMError && error.code === 'E_REDIS')) end = { error: new FastSAMError('E_JOB_FAILED', messageOf(error)) };
    } finally {
      this.settling.delete(id);
    }
    if (!end) {
      if (this.again.delete(id) && this.pending.has(id)) await this.check(id);
      return;
    }
    this.again.delete(id);
    const waiters = this.pending.get(id);
    this.pending.delete(id);
    for (const waiter of waiters ?? []) waiter.settle(end);
  }

  private schedulePoll(): void {
    if (this.timer || this.closedWith) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const ids = [...this.pending.keys()];
      void Promise.all(ids.map((id) => this.check(id))).finally(() => {
        if (this.pending.size > 0) this.schedulePoll();
      });
    }, this.pollIntervalMs);
    this.timer.unref();
  }
}
