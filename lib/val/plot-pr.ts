/**
 * The precision-recall plot (PR_curve.png): one thin line per class (grey when there are 21 or more),
 * their mean as a thick blue line, axes 0..1 with a legend on the right. Drawn as SVG and rasterised to
 * PNG by sharp (librsvg), so no canvas library is needed.
 */
import sharp from 'sharp';
import { formatFixed } from './format';

export interface PrCurve {
  label: string;
  /** Precision at each recall in `recall`. */
  precision: ArrayLike<number>;
}

export interface PrPlot {
  recall: ArrayLike<number>;
  curves: PrCurve[];
  /** The legend of the mean curve, e.g. 'all classes 0.537 mAP@0.5'. */
  meanLabel: string;
  title?: string;
}

const W = 1800;
const H = 1200;
const PLOT = { left: 130, top: 80, width: 1100, height: 980 };
const PALETTE = [
  '#ff3838',
  '#ff9d97',
  '#ff701f',
  '#ffb21d',
  '#cfd231',
  '#48f90a',
  '#92cc17',
  '#3ddb86',
  '#1a9334',
  '#00d4bb',
  '#2c99a8',
  '#00c2ff',
  '#344593',
  '#6473ff',
  '#0018ec',
  '#8438ff',
  '#520085',
  '#cb38ff',
  '#ff95c8',
  '#ff37c7',
];

function escapeXml(s: string): string {
  return s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] as string);
}

function polyline(recall: ArrayLike<number>, precision: ArrayLike<number>): string {
  const pts: string[] = [];
  for (let i = 0; i < recall.length; i++) {
    const x = PLOT.left + recall[i] * PLOT.width;
    const y = PLOT.top + (1 - precision[i]) * PLOT.height;
    pts.push(`${x.toFixed(1)},${y.toFixed(1)}`);
  }
  return pts.join(' ');
}

export function prCurveSvg(plot: PrPlot): string {
  const parts: string[] = [`<rect width="${W}" height="${H}" fill="white"/>`];
  for (let k = 0; k <= 10; k++) {
    const t = k / 10;
    const x = PLOT.left + t * PLOT.width;
    const y = PLOT.top + (1 - t) * PLOT.height;
    parts.push(`<line x1="${x}" y1="${PLOT.top}" x2="${x}" y2="${PLOT.top + PLOT.height}" stroke="#e6e6e6"/>`);
    parts.push(`<line x1="${PLOT.left}" y1="${y}" x2="${PLOT.left + PLOT.width}" y2="${y}" stroke="#e6e6e6"/>`);
    if (k % 2 === 0) {
      parts.push(`<text x="${x}" y="${PLOT.top + PLOT.height + 36}" font-size="26" text-anchor="middle">${t.toFixed(1)}</text>`);
      parts.push(`<text x="${PLOT.left - 14}" y="${y + 9}" font-size="26" text-anchor="end">${t.toFixed(1)}</text>`);
    }
  }
  const few = plot.curves.length > 0 && plot.curves.length < 21;
  const legend: Array<{ label: string; color: string; width: number }> = [];
  plot.curves.forEach((c, i) => {
    const color = few ? PALETTE[i % PALETTE.length] : '#808080';
    parts.push(`<polyline points="${polyline(plot.recall, c.precision)}" fill="none" stroke="${color}" stroke-width="2"/>`);
    if (few) legend.push({ label: c.label, color, width: 2 });
  });
  if (plot.curves.length > 0) {
    const mean = Float64Array.from(
      { length: plot.recall.length },
      (_, i) => plot.curves.reduce((s, c) => s + c.precision[i], 0) / plot.curves.length,
    );
    parts.push(`<polyline points="${polyline(plot.recall, mean)}" fill="none" stroke="blue" stroke-width="6"/>`);
  }
  legend.push({ label: plot.meanLabel, color: 'blue', width: 6 });
  parts.push(
    `<rect x="${PLOT.left}" y="${PLOT.top}" width="${PLOT.width}" height="${PLOT.height}" fill="none" stroke="black" stroke-width="2"/>`,
  );
  legend.forEach((l, i) => {
    const y = PLOT.top + 20 + i * 38;
    const x = PLOT.left + PLOT.width + 40;
    parts.push(`<line x1="${x}" y1="${y}" x2="${x + 50}" y2="${y}" stroke="${l.color}" stroke-width="${l.width}"/>`);
    parts.push(`<text x="${x + 62}" y="${y + 9}" font-size="24">${escapeXml(l.label)}</text>`);
  });
  parts.push(
    `<text x="${PLOT.left + PLOT.width / 2}" y="${PLOT.top - 28}" font-size="32" text-anchor="middle">${escapeXml(plot.title ?? 'Precision-Recall Curve')}</text>`,
  );
  parts.push(`<text x="${PLOT.left + PLOT.width / 2}" y="${H - 40}" font-size="30" text-anchor="middle">Recall</text>`);
  parts.push(
    `<text x="40" y="${PLOT.top + PLOT.height / 2}" font-size="30" text-anchor="middle" transform="rotate(-90 40 ${PLOT.top + PLOT.height / 2})">Precision</text>`,
  );
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="DejaVu Sans, Arial, sans-serif">${parts.join('')}</svg>`;
}

export async function writePrCurve(file: string, plot: PrPlot): Promise<void> {
  await sharp(Buffer.from(prCurveSvg(plot)))
    .png()
    .toFile(file);
}

/** '0.537' as the reference's legends print it. */
export function ap3(v: number): string {
  return formatFixed(v, 3);
}
