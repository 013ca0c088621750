/** Per-mode samples -> the numbers the benchmark reports. */

export interface Samples {
  ms: number[];
  peakRss: number;
}

export const emptySamples = (): Samples => ({ ms: [], peakRss: 0 });

export function record(s: Samples, ms: number, peakRss: number): void {
  s.ms.push(ms);
  s.peakRss = Math.max(s.peakRss, peakRss);
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

export interface ModeSummary {
  medianMs: number;
  /** Items (images or prompts) per second, one after another: 1000 / mean latency. */
  perSecond: number;
  peakRssMb: number;
  samples: number;
}

export function summarize(s: Samples): ModeSummary {
  return { medianMs: median(s.ms), perSecond: 1000 / mean(s.ms), peakRssMb: s.peakRss / 2 ** 20, samples: s.ms.length };
}
