/**
 * The segment answer (segment-json.ts) as JSON bytes, built on a worker thread. With hundreds of noisy
 * masks an answer is millions of RLE runs and megabytes of JSON: compressing and serialising them on the
 * main thread holds the event loop for hundreds of milliseconds, so a server's health checks and other
 * requests wait. Here the main thread only gathers the counts into one transferable array (in slices);
 * compression and serialisation run in a worker (piscina). The bytes are exactly
 * `JSON.stringify(await toSegmentJSON(result, options))`, with `speed.encode` added.
 */
import * as path from 'node:path';
import { Piscina } from 'piscina';
import { FastSAMError } from '../errors';
import type { RLE } from '../masks/mask';
import type { Result } from '../masks/result';
import type { EncodeTask } from './segment-encode-worker';
import { toSegmentJSON } from './segment-json';
import { DEFAULT_NICE } from '../threads/priority';

export interface SegmentEncoderOptions {
  /** Worker threads. Default 1: encoding is a fraction of inference, which has the other cores. */
  threads?: number;
  /** How much lower than the event loop the encoding threads run, 0 to 19 (Linux; lib/threads/priority.ts). Default 10. */
  nice?: number;
}

export interface EncodeOptions {
  /** Masks to encode instead of the Result's own (e.g. refined ones), one per detection. */
  rles?: RLE[];
  /** Stage times to add to `speed`, in milliseconds. */
  speed?: Record<string, number>;
  /** Abandons the work (E_ABORTED). */
  signal?: AbortSignal;
}

/** The worker's entry: the compiled .js beside us, or under ts-jest/tsx the .ts source run through tsx. */
function workerEntry(): { filename: string; execArgv: string[] } {
  const fromSource = __filename.endsWith('.ts');
  const filename = path.join(__dirname, `segment-encode-worker${fromSource ? '.ts' : '.js'}`);
  return { filename, execArgv: fromSource ? ['--require', require.resolve('tsx/cjs')] : [] };
}

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Runs gathered between two yields to the event loop. */
const RUNS_PER_SLICE = 1 << 20;

/** All masks' counts in one array (mask i at offsets[i]..offsets[i + 1]), gathered in slices. */
async function gather(rles: RLE[], signal?: AbortSignal): Promise<{ counts: Uint32Array; offsets: Float64Array }> {
  const offsets = new Float64Array(rles.length + 1);
  rles.forEach((rle, i) => (offsets[i + 1] = offsets[i] + rle.counts.length));
  const counts = new Uint32Array(offsets[rles.length]);
  let sinceYield = 0;
  for (let i = 0; i < rles.length; i++) {
    counts.set(rles[i].counts, offsets[i]);
    sinceYield += rles[i].counts.length;
    if (sinceYield >= RUNS_PER_SLICE) {
      sinceYield = 0;
      await yieldToLoop();
      if (signal?.aborted) throw new FastSAMError('E_ABORTED', 'the request was abandoned while its answer was encoded');
    }
  }
  return { counts, offsets };
}

export class SegmentEncoder {
  private readonly pool: Piscina<EncodeTask, Uint8Array>;

  constructor(options: SegmentEncoderOptions = {}) {
    const { filename, execArgv } = workerEntry();
    const threads = options.threads ?? 1;
    const nice = options.nice ?? DEFAULT_NICE;
    this.pool = new Piscina({ filename, execArgv, minThreads: 0, maxThreads: threads, idleTimeout: 30_000, workerData: { nice } });
  }

  /** The answer of `result` as UTF-8 JSON bytes; `speed.encode` says how long this took. */
  async encode(result: Result, options: EncodeOptions = {}): Promise<Buffer> {
    const startedAt = performance.timeOrigin + performance.now();
    const answer = await toSegmentJSON(result, { masks: false, speed: options.speed });
    if (result.length === 0) {
      answer.speed.encode = performance.timeOrigin + performance.now() - startedAt;
      return Buffer.from(JSON.stringify(answer), 'utf8');
    }
    const rles = options.rles ?? (await result.masks.toRLE());
    if (rles.length !== result.length) {
      throw new FastSAMError('E_BAD_OPTION', `rles must hold one mask per detection (${result.length}), got ${rles.length}`);
    }
    const { counts, offsets } = await gather(rles, options.signal);
    const task: EncodeTask = { answer, size: rles[0].size, counts, offsets, startedAt };
    try {
      const bytes = await this.pool.run(task, {
        transferList: [counts.buffer as ArrayBuffer, offsets.buffer as ArrayBuffer],
        signal: options.signal ?? null,
      });
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    } catch (error) {
      if (options.signal?.aborted)
        throw new FastSAMError('E_ABORTED', 'the request was abandoned while its answer was encoded', { cause: error });
      throw new FastSAMError('E_INFERENCE', `encoding the answer failed: ${error instanceof Error ? error.message : String(error)}`, {
        cause: error,
      });
    }
  }

  /** Ends the worker threads (waiting for work in flight). */
  async close(): Promise<void> {
    await this.pool.close();
  }
}
