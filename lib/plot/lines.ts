/**
 * Contour lines rasterised straight into a coverage bitmap (Bresenham with a 2 x 2 brush for OpenCV's
 * thickness 2), then blended once: fast for the hundreds of thousands of points a noisy mask set has,
 * where an SVG path that long takes seconds to render.
 */
import { type MaskFrame, maskToImage } from '../masks/mask-frame';
import type { MaskContour } from '../masks/mask-ops';
import type { PlotCanvas, Rgb } from './canvas';

function stamp(cover: Uint8Array, width: number, height: number, x: number, y: number): void {
  for (let dy = 0; dy < 2; dy++) {
    const yy = y + dy;
    if (yy < 0 || yy >= height) continue;
    for (let dx = 0; dx < 2; dx++) {
      const xx = x + dx;
      if (xx >= 0 && xx < width) cover[yy * width + xx] = 1;
    }
  }
}

function line(cover: Uint8Array, width: number, height: number, x0: number, y0: number, x1: number, y1: number): void {
  const dx = Math.abs(x1 - x0);
  const dy = -Math.abs(y1 - y0);
  const sx = x0 < x1 ? 1 : -1;
  const sy = y0 < y1 ? 1 : -1;
  let err = dx + dy;
  for (;;) {
    stamp(cover, width, height, x0, y0);
    if (x0 === x1 && y0 === y1) return;
    const e2 = 2 * err;
    if (e2 >= dy) {
      err += dy;
      x0 += sx;
    }
    if (e2 <= dx) {
      err += dx;
      y0 += sy;
    }
  }
}

/** Draws closed contours (mask coordinates) onto the canvas in `colour` at `alpha`. */
export function drawContours(canvas: PlotCanvas, contours: MaskContour[], frame: MaskFrame, colour: Rgb, alpha: number): void {
  const { width, height } = canvas;
  const cover = new Uint8Array(width * height);
  for (const c of contours) {
    const n = c.points.length / 2;
    const at = (i: number) => maskToImage(frame, c.points[2 * i], c.points[2 * i + 1]).map(Math.round) as [number, number];
    let [px, py] = at(n - 1);
    for (let i = 0; i < n; i++) {
      const [x, y] = at(i);
      line(cover, width, height, px, py, x, y);
      px = x;
      py = y;
    }
  }
  const rgb = canvas.rgb;
  for (let k = 0; k < cover.length; k++) {
    if (!cover[k]) continue;
    const p = k * 3;
    rgb[p] = Math.round(rgb[p] * (1 - alpha) + colour[0] * alpha);
    rgb[p + 1] = Math.round(rgb[p + 1] * (1 - alpha) + colour[1] * alpha);
    rgb[p + 2] = Math.round(rgb[p + 2] * (1 - alpha) + colour[2] * alpha);
  }
}
