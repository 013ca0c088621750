/** One materialised mask: its pixels inside a window of the full mask; everything outside is 0. */
import type { RLE } from './rle';

export type { RLE } from './rle';

/** One mask as pixels (from Masks.all() or get()): a window of the full mask; everything outside it is 0. */
export class Mask {
  constructor(
    /** Left of the window, in mask pixels. */
    readonly x: number,
    /** Top of the window, in mask pixels. */
    readonly y: number,
    /** Window width, in pixels. */
    readonly width: number,
    /** Window height, in pixels. */
    readonly height: number,
    /** width x height bytes, row-major, 0 or 1. */
    readonly data: Uint8Array,
    /** [height, width] of the full mask. */
    readonly shape: [number, number],
  ) {}

  /** A mask from a full shape[0] x shape[1] bitmap, cropped to its set pixels. */
  static fromDense(bits: Uint8Array, shape: [number, number]): Mask {
    const [h, w] = shape;
    let x0 = w;
    let y0 = h;
    let x1 = -1;
    let y1 = -1;
    for (let y = 0; y < h; y++) {
      const row = y * w;
      for (let x = 0; x < w; x++) {
        if (!bits[row + x]) continue;
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        y1 = y;
      }
    }
    if (x1 < 0) return new Mask(0, 0, 0, 0, new Uint8Array(0), shape);
    const width = x1 - x0 + 1;
    const height = y1 - y0 + 1;
    const data = new Uint8Array(width * height);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) data[y * width + x] = bits[(y0 + y) * w + x0 + x] ? 1 : 0;
    }
    return new Mask(x0, y0, width, height, data, shape);
  }

  /** The mask value at a pixel of the full mask (0 outside it). */
  at(x: number, y: number): 0 | 1 {
    const cx = x - this.x;
    const cy = y - this.y;
    if (cx < 0 || cy < 0 || cx >= this.width || cy >= this.height) return 0;
    return this.data[cy * this.width + cx] ? 1 : 0;
  }

  /** Number of pixels set. */
  get area(): number {
    let sum = 0;
    for (let i = 0; i < this.data.length; i++) sum += this.data[i];
    return sum;
  }

  /** Pixels set inside [x1, x2) x [y1, y2) (integer bounds, clipped). */
  areaIn(x1: number, y1: number, x2: number, y2: number): number {
    const bx0 = Math.max(x1, this.x) - this.x;
    const by0 = Math.max(y1, this.y) - this.y;
    const bx1 = Math.min(x2, this.x + this.width) - this.x;
    const by1 = Math.min(y2, this.y + this.height) - this.y;
    let sum = 0;
    for (let y = by0; y < by1; y++) {
      const row = y * this.width;
      for (let x = bx0; x < bx1; x++) sum += this.data[row + x];
    }
    return sum;
  }

  /** Tight bounding box of the set pixels [x1, y1, x2, y2) in mask coordinates, or null when empty. */
  bounds(): [number, number, number, number] | null {
    let x0 = Infinity;
    let y0 = Infinity;
    let x1 = -1;
    let y1 = -1;
    for (let y = 0; y < this.height; y++) {
      for (let x = 0; x < this.width; x++) {
        if (!this.data[y * this.width + x]) continue;
        x0 = Math.min(x0, x);
        x1 = Math.max(x1, x);
        y0 = Math.min(y0, y);
        y1 = y;
      }
    }
    return x1 < 0 ? null : [this.x + x0, this.y + y0, this.x + x1 + 1, this.y + y1 + 1];
  }

  /** The full mask, shape[0] x shape[1] bytes. */
  toDense(target?: Uint8Array): Uint8Array {
    const [, w] = this.shape;
    const out = target ?? new Uint8Array(this.shape[0] * w);
    for (let row = 0; row < this.height; row++) {
      const start = row * this.width;
      out.set(this.data.subarray(start, start + this.width), (this.y + row) * w + this.x);
    }
    return out;
  }

  /** COCO uncompressed RLE over the full mask (column-major). */
  toRLE(): RLE {
    const [h, w] = this.shape;
    const counts: number[] = [];
    let value = 0;
    let run = this.width > 0 ? this.x * h : h * w;
    for (let x = 0; x < this.width; x++) {
      run += this.y;
      for (let y = 0; y < this.height; y++) {
        const v = this.data[y * this.width + x];
        if (v !== value) {
          counts.push(run);
          value = v;
          run = 0;
        }
        run++;
      }
      if (value) {
        counts.push(run);
        value = 0;
        run = 0;
      }
      run += h - this.y - this.height;
    }
    if (this.width > 0) run += (w - this.x - this.width) * h;
    counts.push(run);
    return { size: [h, w], counts };
  }
}
