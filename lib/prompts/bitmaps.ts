/**
 * The measure and paint steps of the prompt rules (rules.ts) in plain JS, over masks held as cropped
 * bitmaps: what the web page runs in the browser, and the reference the native measurer and painter are
 * tested against. Pure TypeScript, bundleable like rules.ts. Node itself does these natively, off the
 * JavaScript thread.
 */
import type { MaskMeasures, PaintOp } from './rules';

/** A mask as a window of the full mask; everything outside the window is 0. */
export interface MaskBitmap {
  x: number;
  y: number;
  width: number;
  height: number;
  /** width x height bytes, row-major, 0 or 1. */
  data: Uint8Array;
}

function areaOf(m: MaskBitmap): number {
  let sum = 0;
  for (let k = 0; k < m.width * m.height; k++) sum += m.data[k] ? 1 : 0;
  return sum;
}

/** Pixels of `m` inside [x1, x2) x [y1, y2) (clipped; 0 when empty). */
function areaIn(m: MaskBitmap, x1: number, y1: number, x2: number, y2: number): number {
  const bx0 = Math.max(x1, m.x) - m.x;
  const by0 = Math.max(y1, m.y) - m.y;
  const bx1 = Math.min(x2, m.x + m.width) - m.x;
  const by1 = Math.min(y2, m.y + m.height) - m.y;
  let sum = 0;
  for (let y = by0; y < by1; y++) for (let x = bx0; x < bx1; x++) sum += m.data[y * m.width + x] ? 1 : 0;
  return sum;
}

function holds(m: MaskBitmap, x: number, y: number): boolean {
  const cx = x - m.x;
  const cy = y - m.y;
  return cx >= 0 && cy >= 0 && cx < m.width && cy < m.height && m.data[cy * m.width + cx] !== 0;
}

/** MaskMeasures over bitmaps, for a plan's `rects` (box prompts) and/or `pixels` (point prompts). */
export function measureBitmaps(masks: readonly MaskBitmap[], plan: { rects?: Int32Array; pixels?: Int32Array }): MaskMeasures {
  const areas = new Map<number, number>();
  return {
    count: masks.length,
    area(i) {
      let a = areas.get(i);
      if (a === undefined) areas.set(i, (a = areaOf(masks[i])));
      return a;
    },
    inside(i, r) {
      const rects = plan.rects!;
      return areaIn(masks[i], rects[r * 4], rects[r * 4 + 1], rects[r * 4 + 2], rects[r * 4 + 3]);
    },
    hits(i) {
      const pixels = plan.pixels ?? new Int32Array(0);
      const out: number[] = [];
      for (let p = 0; p < pixels.length / 2; p++) if (holds(masks[i], pixels[p * 2], pixels[p * 2 + 1])) out.push(p);
      return out;
    },
  };
}

/**
 * Runs a paint plan (rules.ts) over masks of `shape` ([height, width]): the pixels whose sum ends >= 1,
 * as a full height x width bitmap of 0/1 bytes.
 */
export function paintBitmaps(ops: readonly PaintOp[], masks: readonly MaskBitmap[], shape: [number, number]): Uint8Array {
  const [h, w] = shape;
  const sum = new Int32Array(h * w);
  for (const op of ops) {
    const m = masks[op.mask];
    for (let y = 0; y < m.height; y++) {
      const row = (m.y + y) * w + m.x;
      for (let x = 0; x < m.width; x++) {
        if (!m.data[y * m.width + x]) continue;
        if (op.op === 'add') sum[row + x] += op.amount;
        else sum[row + x] = op.op === 'set' ? 1 : 0;
      }
    }
  }
  const out = new Uint8Array(h * w);
  for (let k = 0; k < out.length; k++) out[k] = sum[k] >= 1 ? 1 : 0;
  return out;
}
