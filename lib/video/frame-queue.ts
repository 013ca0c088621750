/**
 * Cuts ffmpeg's raw RGB byte stream into whole frames of exactly width x height x 3 bytes and holds a
 * bounded number of them for the consumer. Two policies when the consumer is behind:
 * - 'pause' (files; live streams with streamBuffer): stop reading the pipe, so ffmpeg blocks on its
 *   write and decodes nothing more until the consumer catches up (backpressure, bounded memory);
 * - 'drop-oldest' (live streams): keep reading at the source's pace and keep only the newest frames,
 *   so the consumer always gets a fresh frame instead of falling behind (Ultralytics' stream_buffer=False).
 */
import type { Readable } from 'node:stream';

export type QueuePolicy = 'pause' | 'drop-oldest';

export interface QueuedFrame {
  data: Buffer;
  /** Position of the frame in ffmpeg's output, counting dropped frames. */
  position: number;
}

export type QueueEnd = { done: true; partialBytes: number; error?: Error };

export class FrameQueue {
  private readonly frames: QueuedFrame[] = [];
  private current: Buffer | undefined;
  private filled = 0;
  private produced = 0;
  private ended = false;
  private streamError?: Error;
  private wake?: () => void;
  /** Frames thrown away because the consumer was behind ('drop-oldest'). */
  dropped = 0;
  /** When the last byte arrived (ms, performance.now()). */
  lastData = performance.now();

  constructor(
    private readonly input: Readable,
    private readonly frameBytes: number,
    private readonly capacity: number,
    private readonly policy: QueuePolicy,
  ) {
    input.on('data', (chunk: Buffer) => this.push(chunk));
    input.once('end', () => this.finish());
    input.once('close', () => this.finish());
    input.once('error', (error) => {
      this.streamError = error;
      this.finish();
    });
  }

  /** Whole frames waiting for the consumer. */
  get length(): number {
    return this.frames.length;
  }

  /**
   * The next whole frame, or the end (with the bytes of an incomplete last frame, if any). With a
   * timeout, a source that sends nothing for that long while we wait throws StallError (time spent
   * paused by us does not count).
   */
  async next(timeoutMs?: number): Promise<QueuedFrame | QueueEnd> {
    const waitStart = performance.now();
    for (;;) {
      const frame = this.frames.shift();
      if (frame) {
        if (this.policy === 'pause' && this.frames.length < this.capacity) this.input.resume();
        return frame;
      }
      if (this.ended) return { done: true, partialBytes: this.filled, error: this.streamError };
      this.input.resume();
      const woken = new Promise<void>((resolve) => (this.wake = resolve));
      if (timeoutMs === undefined) {
        await woken;
        continue;
      }
      const silentFor = () => performance.now() - Math.max(this.lastData, waitStart);
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([
        woken.then(() => false),
        new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), Math.max(0, timeoutMs - silentFor())))),
      ]);
      clearTimeout(timer);
      if (timedOut && silentFor() >= timeoutMs) throw new StallError(timeoutMs);
    }
  }

  private push(chunk: Buffer): void {
    this.lastData = performance.now();
    let offset = 0;
    while (offset < chunk.length) {
      this.current ??= Buffer.allocUnsafe(this.frameBytes);
      const n = Math.min(chunk.length - offset, this.frameBytes - this.filled);
      chunk.copy(this.current, this.filled, offset, offset + n);
      this.filled += n;
      offset += n;
      if (this.filled === this.frameBytes) {
        this.frames.push({ data: this.current, position: this.produced++ });
        this.current = undefined;
        this.filled = 0;
        if (this.policy === 'drop-oldest' && this.frames.length > this.capacity) {
          this.frames.shift();
          this.dropped++;
        }
      }
    }
    // A chunk may complete several small frames at once: the queue can pass capacity by that much.
    if (this.policy === 'pause' && this.frames.length >= this.capacity) this.input.pause();
    this.signal();
  }

  private finish(): void {
    this.ended = true;
    this.signal();
  }

  private signal(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}

/** No data from the source for longer than the timeout. */
export class StallError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`no data for ${timeoutMs} ms`);
  }
}
