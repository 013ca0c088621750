/**
 * Many submissions with backpressure: items are pulled from the caller's (possibly endless, possibly
 * lazy) iterable only while fewer than `limit` jobs are out, and answers are yielded as they come. Memory
 * and Redis hold at most `limit` jobs of this loop at any time, whatever the input's size.
 */
import { setMaxListeners } from 'node:events';
import type { FastSAMError } from '../errors';
import type { SegmentAnswer } from '../formats/segment-answer';
import { isFastSAMError } from '../errors';
import type { FastSAMJob } from './job';
import type { QueueSource, SubmitOptions } from './producer';

/** An image, or an image with options of its own (they win over submitMany's). */
export type QueueItem =
  | QueueSource
  | {
      /** The image: encoded bytes, or an absolute path or file: URI the workers read. */
      source: QueueSource;
      /** This item's own options, over submitMany's. */
      options?: SubmitOptions;
    };

/** One item's outcome from submitMany(): its answer, or its error. */
export interface QueueOutcome {
  /** Position of the item in the input. */
  index: number;
  /** The item's source, as given. */
  source: QueueSource;
  /** Absent when the item could not be submitted. */
  jobId?: string;
  /** The workers' answer (as POST /v1/segment's); absent on error. */
  answer?: SegmentAnswer;
  /** Why the item has no answer: refused at submit (bad input) or its job failed. */
  error?: FastSAMError;
}

export interface Submitter {
  submit(source: QueueSource, options?: SubmitOptions): Promise<FastSAMJob>;
  /** Removes jobs no worker has taken yet. */
  cancel(ids: string[]): Promise<void>;
}

const isWrapped = (item: QueueItem): item is { source: QueueSource; options?: SubmitOptions } =>
  typeof item === 'object' && item !== null && !(item instanceof Uint8Array) && 'source' in item;

function iterate<T>(items: Iterable<T> | AsyncIterable<T>): AsyncIterator<T> | Iterator<T> {
  if (items && typeof (items as AsyncIterable<T>)[Symbol.asyncIterator] === 'function')
    return (items as AsyncIterable<T>)[Symbol.asyncIterator]();
  if (items && typeof (items as Iterable<T>)[Symbol.iterator] === 'function') return (items as Iterable<T>)[Symbol.iterator]();
  throw new TypeError('submitMany() needs an iterable or async iterable of sources');
}

export async function* submitMany(
  items: Iterable<QueueItem> | AsyncIterable<QueueItem>,
  limit: number,
  submitter: Submitter,
): AsyncGenerator<QueueOutcome> {
  const iterator = iterate(items);
  const stop = new AbortController();
  // Every job out listens to it: up to `limit` listeners is the design, not a leak.
  setMaxListeners(limit + 1, stop.signal);
  /** Jobs out, by item index: the job id once submitted. */
  const out = new Map<number, { jobId?: string; done: Promise<QueueOutcome> }>();
  let index = 0;
  let exhausted = false;

  const run = (i: number, item: QueueItem): void => {
    const source = isWrapped(item) ? item.source : item;
    const entry: { jobId?: string; done: Promise<QueueOutcome> } = { done: Promise.resolve() as never };
    entry.done = (async (): Promise<QueueOutcome> => {
      try {
        const job = await submitter.submit(source, isWrapped(item) ? item.options : undefined);
        entry.jobId = job.id;
        return { index: i, source, jobId: job.id, answer: await job.result({ signal: stop.signal }) };
      } catch (error) {
        if (!isFastSAMError(error)) throw error;
        return { index: i, source, ...(entry.jobId ? { jobId: entry.jobId } : {}), error };
      }
    })();
    out.set(i, entry);
  };

  try {
    for (;;) {
      while (!exhausted && out.size < limit) {
        const next = await iterator.next();
        if (next.done) exhausted = true;
        else run(index++, next.value);
      }
      if (out.size === 0) return;
      const outcome = await Promise.race([...out.values()].map((entry) => entry.done));
      out.delete(outcome.index);
      yield outcome;
    }
  } finally {
    if (out.size > 0) {
      // Stopped early (break, or an error): stop waiting, and take back the jobs no worker has begun.
      stop.abort();
      const entries = [...out.values()];
      await Promise.allSettled(entries.map((entry) => entry.done));
      await submitter.cancel(entries.flatMap((entry) => (entry.jobId ? [entry.jobId] : []))).catch(() => undefined);
    }
    if (!exhausted) await (iterator as AsyncIterator<QueueItem>).return?.();
  }
}
