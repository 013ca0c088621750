/**
 * Painting masks onto the canvas. Masks live in mask coordinates (see MaskFrame); every image pixel
 * looks up its mask pixel through the letterbox (nearest), so non-retina masks land where they belong.
 */
import type { Mask } from '../masks/mask';
import { type MaskFrame } from '../masks/mask-frame';
import type { PlotCanvas, Rgb } from './canvas';

/**
 * For each mask pixel, the index of the smallest mask covering it (-1 for none): masks are painted from
 * the largest to the smallest area, so the smallest ends on top, as FastSAM's plot shows them.
 */
export function smallestOnTop(masks: Mask[], shape: [number, number]): Int32Array {
  const [h, w] = shape;
  const index = new Int32Array(h * w).fill(-1);
  const order = masks.map((m, i) => ({ i, area: m.area })).sort((a, b) => b.area - a.area || a.i - b.i);
  for (const { i } of order) {
    const m = masks[i];
    for (let y = 0; y < m.height; y++) {
      const src = y * m.width;
      const dst = (m.y + y) * w + m.x;
      for (let x = 0; x < m.width; x++) if (m.data[src + x]) index[dst + x] = i;
    }
  }
  return index;
}

/** Image pixel -> mask pixel lookup tables (nearest) for one axis. */
function axisMap(imageLen: number, maskLen: number, gain: number, pad: number): Int32Array {
  const map = new Int32Array(imageLen);
  for (let i = 0; i < imageLen; i++) map[i] = Math.min(maskLen - 1, Math.max(0, Math.floor((i + 0.5) * gain + pad)));
  return map;
}

/** Blends colour[index] over every covered image pixel: out = (1 - alpha) * image + alpha * colour. */
export function blendIndexMap(canvas: PlotCanvas, index: Int32Array, frame: MaskFrame, colours: Rgb[], alpha: number): void {
  const [mh, mw] = frame.shape;
  const identity = mh === canvas.height && mw === canvas.width;
  const xs = identity ? null : axisMap(canvas.width, mw, frame.gain, frame.padX);
  const ys = identity ? null : axisMap(canvas.height, mh, frame.gain, frame.padY);
  // alpha * colour + 0.5 precomputed per mask: the inner loop is one multiply-add and a truncation.
  const tint = new Float32Array(colours.length * 3);
  colours.forEach((c, i) => tint.set([c[0] * alpha + 0.5, c[1] * alpha + 0.5, c[2] * alpha + 0.5], i * 3));
  const keep = 1 - alpha;
  const rgb = canvas.rgb;
  const width = canvas.width;
  for (let y = 0; y < canvas.height; y++) {
    const row = (ys ? ys[y] : y) * mw;
    for (let x = 0; x < width; x++) {
      const k = index[row + (xs ? xs[x] : x)];
      if (k < 0) continue;
      const p = (y * width + x) * 3;
      const t = k * 3;
      rgb[p] = rgb[p] * keep + tint[t];
      rgb[p + 1] = rgb[p + 1] * keep + tint[t + 1];
      rgb[p + 2] = rgb[p + 2] * keep + tint[t + 2];
    }
  }
}
