/**
 * Peak resident memory while something runs. ONNX Runtime computes on its own threads, so the event
 * loop stays free to sample process RSS every few milliseconds during a run.
 */
export class RssSampler {
  private peak = 0;
  private timer: NodeJS.Timeout | null = null;

  start(intervalMs = 5): void {
    this.peak = process.memoryUsage.rss();
    this.timer = setInterval(() => {
      this.peak = Math.max(this.peak, process.memoryUsage.rss());
    }, intervalMs);
  }

  /** Stops sampling; the peak in bytes (including a last sample now). */
  stop(): number {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    return Math.max(this.peak, process.memoryUsage.rss());
  }
}

/** Runs `fn`, returning its wall time (ms) and the peak RSS (bytes) seen meanwhile. */
export async function measure<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number; peakRss: number }> {
  const sampler = new RssSampler();
  sampler.start();
  const start = performance.now();
  try {
    const value = await fn();
    return { value, ms: performance.now() - start, peakRss: sampler.stop() };
  } finally {
    sampler.stop();
  }
}
