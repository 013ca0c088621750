/**
 * The benchmark's bar chart: per mode, FastSAM's and SAM's latency side by side on a log axis (the two
 * differ by orders of magnitude), drawn as SVG and rasterised to PNG by sharp (librsvg).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';

export interface ChartRow {
  mode: string;
  fastsamMs: number | null;
  samMs: number | null;
}

export interface ChartText {
  title: string;
  subtitle: string;
  footer: string;
}

const COLORS = { fastsam: '#1e90ff', sam: '#f28e2b' };
const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Axis ticks are powers of ten: 100 ms, 1 s, 10 s. */
function formatTick(power: number): string {
  return power >= 3 ? `${10 ** (power - 3)} s` : `${Number((10 ** power).toPrecision(1))} ms`;
}

function formatMs(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toFixed(ms >= 10000 ? 0 : 1)} s`;
  return `${ms.toFixed(ms >= 10 ? 0 : 1)} ms`;
}

export function chartSvg(rows: readonly ChartRow[], text: ChartText): string {
  const width = 960;
  const left = 230;
  const right = 190;
  const top = 86;
  const barH = 18;
  const groupH = 2 * barH + 22;
  const plotH = rows.length * groupH;
  const height = top + plotH + 80;
  const values = rows.flatMap((r) => [r.fastsamMs, r.samMs]).filter((v): v is number => v !== null && v > 0);
  const lo = Math.floor(Math.log10(Math.min(...values)));
  const hi = Math.ceil(Math.log10(Math.max(...values)));
  const x = (ms: number) => left + ((Math.log10(ms) - lo) / Math.max(hi - lo, 1)) * (width - left - right);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="DejaVu Sans" font-size="13">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="20" y="30" font-size="18" font-weight="bold">${escape(text.title)}</text>`,
    `<text x="20" y="52" fill="#444">${escape(text.subtitle)}</text>`,
  ];
  for (let p = lo; p <= hi; p++) {
    const gx = x(10 ** p);
    parts.push(`<line x1="${gx}" y1="${top - 6}" x2="${gx}" y2="${top + plotH}" stroke="#ddd"/>`);
    parts.push(`<text x="${gx}" y="${top + plotH + 18}" text-anchor="middle" fill="#444">${formatTick(p)}</text>`);
  }
  rows.forEach((row, i) => {
    const y0 = top + i * groupH;
    parts.push(`<text x="${left - 10}" y="${y0 + barH + 4}" text-anchor="end">${escape(row.mode)}</text>`);
    (['fastsam', 'sam'] as const).forEach((who, j) => {
      const ms = who === 'fastsam' ? row.fastsamMs : row.samMs;
      if (ms === null || ms <= 0) return;
      const y = y0 + j * barH;
      parts.push(`<rect x="${left}" y="${y}" width="${Math.max(x(ms) - left, 1)}" height="${barH - 3}" fill="${COLORS[who]}"/>`);
      parts.push(`<text x="${x(ms) + 5}" y="${y + barH - 6}" fill="#222">${formatMs(ms)}</text>`);
    });
    if (row.fastsamMs && row.samMs) {
      const ratio = row.samMs / row.fastsamMs;
      const label = `SAM/FastSAM ${ratio.toFixed(ratio >= 10 ? 0 : 1)}×`;
      parts.push(`<text x="${width - 10}" y="${y0 + barH + 4}" text-anchor="end" font-weight="bold" fill="#333">${label}</text>`);
    }
  });
  const ly = top + plotH + 40;
  parts.push(
    `<rect x="${left}" y="${ly - 11}" width="14" height="14" fill="${COLORS.fastsam}"/><text x="${left + 20}" y="${ly}">FastSAM</text>`,
  );
  parts.push(
    `<rect x="${left + 110}" y="${ly - 11}" width="14" height="14" fill="${COLORS.sam}"/><text x="${left + 130}" y="${ly}">SAM</text>`,
  );
  parts.push(`<text x="20" y="${ly + 26}" font-size="11" fill="#666">${escape(text.footer)}</text>`);
  parts.push('</svg>');
  return parts.join('\n');
}

export async function writeChartPng(svg: string, file: string): Promise<void> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await sharp(Buffer.from(svg)).png().toFile(file);
}
