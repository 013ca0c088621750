/**
 * The ordered, bounded loop behind model.stream() and predict() of many images: sources are pulled in
 * batches, up to `concurrency` batches are in flight at once (the next ones decode while the current one
 * infers), and items come out in input order. Memory stays bounded whatever the source's length.
 */
import { FastSAMError } from '../errors';
import type { ImageSource } from '../io/image';
import type { Result } from '../masks/result';
import { checkBoolean, checkInteger, invalid } from '../options/check';
import type { PredictOptions } from '../options/predict-options';

export interface StreamOptions extends PredictOptions {
  /** Batches in flight at once (decode ahead of inference). Default 2. */
  concurrency?: number;
  /** Throw on the first failing image instead of yielding `{ source, error }`. */
  failFast?: boolean;
}

/** One image's outcome from stream(): its Result, or the error that image alone met. */
export type StreamItem =
  | {
      /** The source, as given. */
      source: ImageSource;
      /** The image's detections. */
      result: Result;
      /** Absent on success. */
      error?: undefined;
    }
  | {
      /** The source, as given. */
      source: ImageSource;
      /** Why this image failed (e.g. E_IMAGE_DECODE, E_FILE_NOT_FOUND); the stream goes on. */
      error: FastSAMError;
      /** Absent on failure. */
      result?: undefined;
    };

/**
 * Images for stream(): any iterable or async iterable of image sources (read lazily, as needed).
 * @inline
 */
export type StreamSources = Iterable<ImageSource> | AsyncIterable<ImageSource>;

export interface StreamSettings {
  concurrency: number;
  failFast: boolean;
}

export function resolveStreamSettings(options: StreamOptions): StreamSettings {
  return {
    concurrency: checkInteger('concurrency', options.concurrency ?? 2, 1, 64),
    failFast: checkBoolean('failFast', options.failFast ?? false),
  };
}

export function checkSources(sources: unknown): StreamSources {
  if (sources === null || typeof sources !== 'object' || !(Symbol.iterator in sources || Symbol.asyncIterator in sources)) {
    invalid('sources', 'an array, an iterable, an async iterable or a readable stream of image sources', sources, 'E_BAD_SOURCE');
  }
  return sources as StreamSources;
}

async function* batches(sources: StreamSources, size: number): AsyncGenerator<ImageSource[]> {
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

/** A failure of a whole batch (the runtime, a disposed model) as one typed error per image. */
export function asFastSAMError(error: unknown): FastSAMError {
  return error instanceof FastSAMError ? error : new FastSAMError('E_INFERENCE', error instanceof Error ? error.message : String(error));
}

export async function* orderedBatches(
  sources: StreamSources,
  batch: number,
  settings: StreamSettings,
  run: (sources: ImageSource[]) => Promise<StreamItem[]>,
): AsyncGenerator<StreamItem> {
  const pending: Array<Promise<StreamItem[]>> = [];
  const input = batches(sources, batch);
  const start = async (): Promise<boolean> => {
    const next = await input.next();
    if (next.done) return false;
    const items = next.value;
    pending.push(run(items).catch((error: unknown) => items.map((source): StreamItem => ({ source, error: asFastSAMError(error) }))));
    return true;
  };
  let more = true;
  try {
    while (more && pending.length < settings.concurrency) more = await start();
    while (pending.length > 0) {
      const items = await pending.shift()!;
      if (more) more = await start(); // keep `concurrency` batches in flight while this one is consumed
      for (const item of items) {
        if (item.error && settings.failFast) throw item.error;
        yield item;
      }
    }
  } finally {
    await input.return(undefined); // the caller's iterator or stream is closed when we stop early
    // Batches still in flight settle on their own; their errors were turned into items above.
    await Promise.allSettled(pending);
  }
}
