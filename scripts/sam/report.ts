/** The benchmark's markdown table and its one-line JSON summary. */
import type { ModeKey } from './modes';
import type { ModeSummary } from './stats';

export interface ModeRow {
  key: ModeKey;
  label: string;
  fastsam: ModeSummary;
  sam: ModeSummary;
  unit: 'image' | 'prompt';
}

const ms = (v: number) => (v >= 10000 ? `${(v / 1000).toFixed(1)} s` : `${v.toFixed(0)} ms`);
const rate = (v: number, unit: string) => `${v >= 10 ? v.toFixed(0) : v >= 1 ? v.toFixed(1) : v.toFixed(3)} ${unit}/s`;
const mb = (v: number) => `${(v / 1024).toFixed(2)} GiB`;

export function markdownTable(rows: readonly ModeRow[], samLabel: string): string {
  const lines = [
    `| mode | FastSAM | ${samLabel} | SAM / FastSAM | FastSAM throughput | SAM throughput | FastSAM peak RSS | SAM peak RSS |`,
    '|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of rows) {
    const ratio = r.sam.medianMs / r.fastsam.medianMs;
    lines.push(
      `| ${r.label} | ${ms(r.fastsam.medianMs)} | ${ms(r.sam.medianMs)} | ${ratio.toFixed(ratio >= 10 ? 0 : 1)}× | ` +
        `${rate(r.fastsam.perSecond, r.unit)} | ${rate(r.sam.perSecond, r.unit)} | ${mb(r.fastsam.peakRssMb)} | ${mb(r.sam.peakRssMb)} |`,
    );
  }
  return lines.join('\n');
}

const round = (v: number, digits: number) => Number(v.toFixed(digits));

/** Per-mode times and ratios, flat enough to read in one line. */
export function jsonModes(rows: readonly ModeRow[]): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const r of rows) {
    out[r.key] = {
      fastsam_ms: round(r.fastsam.medianMs, 1),
      sam_ms: round(r.sam.medianMs, 1),
      ratio: round(r.sam.medianMs / r.fastsam.medianMs, 2),
      fastsam_per_s: round(r.fastsam.perSecond, 4),
      sam_per_s: round(r.sam.perSecond, 4),
      fastsam_peak_rss_mb: round(r.fastsam.peakRssMb, 0),
      sam_peak_rss_mb: round(r.sam.peakRssMb, 0),
    };
  }
  return out;
}
