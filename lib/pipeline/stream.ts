/**
 * The ordered, bounded pipeline behind model.stream(): sources are pulled in batches, up to
 * `concurrency` batches run at once (the next ones decode while the current one infers), and items come
 * out in input order.
 */
import { FastSAMError } from '../errors';
import type { ImageSource } from '../io/image';
import type { PredictOptions } from './fastsam';
import type { Result } from '../masks/result';

export interface StreamOptions extends PredictOptions {
  /** Batches in flight at once (decode ahead of inference). Default 2. */
  concurrency?: number;
  /** Throw on the first failing image instead of yielding `{ source, error }`. */
  failFast?: boolean;
}

export type StreamItem =
  { source: ImageSource; result: Result; error?: undefined } | { source: ImageSource; error: FastSAMError; result?: undefined };

interface PipelineOptions {
  batch: number;
  concurrency: number;
  failFast: boolean;
  run: (sources: ImageSource[]) => Promise<StreamItem[]>;
}

async function* batches(sources: Iterable<ImageSource> | AsyncIterable<ImageSource>, size: number): AsyncGenerator<ImageSource[]> {
  let current: ImageSource[] = [];
  for await (const source of sources) {
    current.push(source);
    if (current.length >= size) {
      yield current;
      current = [];
    }
  }
  if (current.length > 0) yield current;
}

export async function* streamPredictions(
  sources: Iterable<ImageSource> | AsyncIterable<ImageSource>,
  options: PipelineOptions,
): AsyncGenerator<StreamItem> {
  if (!Number.isInteger(options.concurrency) || options.concurrency < 1) {
    throw new FastSAMError('E_BAD_OPTION', `concurrency must be a positive integer, got ${String(options.concurrency)}`);
  }
  if (sources === null || typeof sources !== 'object' || !(Symbol.iterator in sources || Symbol.asyncIterator in sources)) {
    throw new FastSAMError('E_BAD_SOURCE', 'stream() takes an array, an iterable, an async iterable or a readable stream of sources');
  }
  const pending: Array<Promise<StreamItem[]>> = [];
  const input = batches(sources, options.batch);
  const start = async (): Promise<boolean> => {
    const next = await input.next();
    if (next.done) return false;
    const sources = next.value;
    // A batch that fails as a whole (e.g. the runtime) becomes one error per image, like decode failures.
    const running = options.run(sources).catch((error: unknown) =>
      sources.map((source): StreamItem => ({
        source,
        error: error instanceof FastSAMError ? error : new FastSAMError('E_INFERENCE', String(error)),
      })),
    );
    pending.push(running);
    return true;
  };
  let more = true;
  try {
    while (more && pending.length < options.concurrency) more = await start();
    while (pending.length > 0) {
      const items = await pending.shift()!;
      if (more) more = await start(); // keep `concurrency` batches in flight while this one is consumed
      for (const item of items) {
        if (item.error && options.failFast) throw item.error;
        yield item;
      }
    }
  } finally {
    await input.return(undefined); // the caller's iterator or stream is closed when we stop early
  }
}
