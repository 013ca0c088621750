/**
 * Drawing on the canvas (2D only: no WebGL or WebGPU, so it runs wherever a browser does). Mask layers
 * are painted once at mask resolution into offscreen canvases and drawn over the image through the mask
 * frame (identity for retina masks, the letterbox otherwise); each frame is then a few drawImage calls.
 */
import type { MaskFrame } from '../../masks/mask-frame';
import type { MaskBitmap } from '../../prompts/bitmaps';
import type { Everything } from './masks';
import type { Selected } from './selection';

export type Rgb = [number, number, number];

/** Distinct colours: hues a golden angle apart. */
export function palette(n: number): Rgb[] {
  return Array.from({ length: n }, (_, i) => hsl(((i * 137.508) % 360) / 360, 0.72, 0.56));
}

function hsl(h: number, s: number, l: number): Rgb {
  const f = (n: number) => {
    const k = (n + h * 12) % 12;
    const a = s * Math.min(l, 1 - l);
    return Math.round(255 * (l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1))));
  };
  return [f(0), f(8), f(4)];
}

function layer(width: number, height: number): { canvas: HTMLCanvasElement; ctx: CanvasRenderingContext2D; image: ImageData } {
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, width);
  canvas.height = Math.max(1, height);
  const ctx = canvas.getContext('2d')!;
  return { canvas, ctx, image: ctx.createImageData(canvas.width, canvas.height) };
}

/** Every mask in its colour (smallest on top), with optional outlines where masks meet the background or each other. */
export function everythingLayer(everything: Everything, colours: Rgb[], contours: boolean): HTMLCanvasElement {
  const [h, w] = everything.shape;
  const { canvas, ctx, image } = layer(w, h);
  const px = image.data;
  const index = everything.indexMap;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const k = y * w + x;
      const i = index[k];
      const edge =
        contours &&
        ((x + 1 < w && index[k + 1] !== i) ||
          (y + 1 < h && index[k + w] !== i) ||
          (x > 0 && index[k - 1] !== i) ||
          (y > 0 && index[k - w] !== i));
      if (i < 0 && !edge) continue;
      if (edge) {
        px.set([255, 255, 255, 215], k * 4);
      } else {
        const c = colours[i];
        px.set([c[0], c[1], c[2], 120], k * 4);
      }
    }
  }
  ctx.putImageData(image, 0, 0);
  return canvas;
}

/** Masks filled in their colours with a bright outline (selections, the hovered mask). */
export function masksLayer(shape: [number, number], masks: MaskBitmap[], colours: Rgb[], alpha: number): HTMLCanvasElement {
  const [h, w] = shape;
  const { canvas, ctx, image } = layer(w, h);
  const px = image.data;
  masks.forEach((m, n) => {
    const c = colours[n % colours.length];
    const at = (x: number, y: number) => x >= 0 && y >= 0 && x < m.width && y < m.height && m.data[y * m.width + x] === 1;
    for (let y = 0; y < m.height; y++) {
      for (let x = 0; x < m.width; x++) {
        if (!m.data[y * m.width + x]) continue;
        const k = ((m.y + y) * w + m.x + x) * 4;
        const edge = !at(x + 1, y) || !at(x - 1, y) || !at(x, y + 1) || !at(x, y - 1);
        if (edge) px.set([255, 255, 255, 255], k);
        else px.set([c[0], c[1], c[2], Math.round(alpha * 255)], k);
      }
    }
  });
  ctx.putImageData(image, 0, 0);
  return canvas;
}

/** Draws a mask-resolution layer over the image (the context is in image pixels). */
export function drawMaskLayer(ctx: CanvasRenderingContext2D, source: CanvasImageSource, frame: MaskFrame): void {
  const [mh, mw] = frame.shape;
  ctx.drawImage(source, -frame.padX / frame.gain, -frame.padY / frame.gain, mw / frame.gain, mh / frame.gain);
}

export interface PromptMarks {
  points: Array<{ x: number; y: number; label: number }>;
  boxes: Array<[number, number, number, number]>;
  /** A box being dragged. */
  draft?: [number, number, number, number];
}

/** Points and boxes as the user placed them; sizes in screen pixels whatever the image's scale. */
export function drawPrompts(ctx: CanvasRenderingContext2D, marks: PromptMarks, pixelsPerScreenPixel: number): void {
  const unit = pixelsPerScreenPixel;
  ctx.save();
  for (const box of [...marks.boxes, ...(marks.draft ? [marks.draft] : [])]) {
    const [x1, y1, x2, y2] = box;
    ctx.lineWidth = 2 * unit;
    ctx.strokeStyle = 'rgba(0, 0, 0, 0.55)';
    ctx.setLineDash([]);
    ctx.strokeRect(x1, y1, x2 - x1, y2 - y1);
    ctx.strokeStyle = '#ffffff';
    ctx.setLineDash([6 * unit, 4 * unit]);
    ctx.strokeRect(x1, y1, x2 - x1, y2 - y1);
  }
  ctx.setLineDash([]);
  for (const p of marks.points) {
    const r = 7 * unit;
    ctx.beginPath();
    ctx.arc(p.x, p.y, r, 0, Math.PI * 2);
    ctx.fillStyle = p.label === 1 ? '#12a150' : '#e5484d';
    ctx.fill();
    ctx.lineWidth = 2.5 * unit;
    ctx.strokeStyle = '#ffffff';
    ctx.stroke();
    ctx.beginPath();
    ctx.moveTo(p.x - r * 0.45, p.y);
    ctx.lineTo(p.x + r * 0.45, p.y);
    if (p.label === 1) {
      ctx.moveTo(p.x, p.y - r * 0.45);
      ctx.lineTo(p.x, p.y + r * 0.45);
    }
    ctx.lineWidth = 2 * unit;
    ctx.stroke();
  }
  ctx.restore();
}

/** The selected objects' colours: one accent for a single object, the palette for several. */
export function selectionColours(selection: Selected[]): Rgb[] {
  return selection.length === 1 ? [[109, 94, 252]] : palette(Math.max(1, selection.length));
}
