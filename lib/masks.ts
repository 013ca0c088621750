/**
 * Lazy masks: a result keeps each mask's coefficients and crop box plus the image's prototypes, and
 * materialises pixels (natively, off the JS thread) only when asked, inside each mask's box.
 */
import { FastSAMError } from './errors';
import { native } from './native';

/** COCO uncompressed RLE: runs over the mask in column-major order, starting with zeros. */
export interface RLE {
  size: [number, number];
  counts: number[];
}

/** A plain number[] copy of values[begin, end): a counted loop is several times faster than Array.from. */
function toNumbers(values: Uint32Array, begin: number, end: number): number[] {
  const out = new Array<number>(end - begin);
  for (let i = begin; i < end; i++) out[i - begin] = values[i];
  return out;
}

/** Everything needed to render this image's masks. */
export interface MaskSource {
  protos: Float32Array;
  nm: number;
  protoHeight: number;
  protoWidth: number;
  /** n x nm coefficients. */
  coef: Float32Array;
  /** n x 4 crop boxes: letterbox coordinates in 'letterbox' mode, original pixels in 'native' mode. */
  cropBoxes: Float32Array;
  mode: 'letterbox' | 'native';
  inputHeight: number;
  inputWidth: number;
  maskHeight: number;
  maskWidth: number;
}

/** One materialised mask: its pixels inside a window; everything outside the window is 0. */
export class Mask {
  constructor(
    /** Window in mask coordinates. */
    readonly x: number,
    readonly y: number,
    readonly width: number,
    readonly height: number,
    /** width x height bytes, row-major, 0 or 1. */
    readonly data: Uint8Array,
    /** [height, width] of the full mask. */
    readonly shape: [number, number],
  ) {}

  /** The mask value at a pixel of the full mask. */
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

  /** The full mask, shape[0] x shape[1] bytes. */
  toDense(target?: Uint8Array): Uint8Array {
    const [h, w] = this.shape;
    const out = target ?? new Uint8Array(h * w);
    for (let row = 0; row < this.height; row++) {
      const start = row * this.width;
      out.set(this.data.subarray(start, start + this.width), (this.y + row) * w + this.x);
    }
    return out;
  }
}

export class Masks {
  constructor(
    private readonly source: MaskSource,
    private readonly indices: Uint32Array,
  ) {}

  get length(): number {
    return this.indices.length;
  }

  /** [height, width]: the original image size with retina masks, else the letterboxed input size. */
  get shape(): [number, number] {
    return [this.source.maskHeight, this.source.maskWidth];
  }

  /** Masks for a subset of detections, in the given order (shares the prototypes). */
  select(indices: ArrayLike<number>): Masks {
    return new Masks(this.source, Uint32Array.from(this.resolve(indices)));
  }

  async get(index: number): Promise<Mask> {
    const [mask] = await this.all([index]);
    return mask;
  }

  /** Every mask (or those at `indices`) cropped to its window. */
  async all(indices?: ArrayLike<number>): Promise<Mask[]> {
    const subset = this.subset(indices);
    if (subset.count === 0) return [];
    const crops = await native().renderMasks(subset.protos, subset.coef, subset.boxes, {
      ...this.request(),
      format: 'crop',
    });
    const shape = this.shape;
    return Array.from({ length: subset.count }, (_, i) => {
      const [x, y, w, h] = crops.windows.subarray(i * 4, i * 4 + 4);
      const bits = crops.bits.subarray(crops.offsets[i], crops.offsets[i + 1]);
      return new Mask(x, y, w, h, bits, shape);
    });
  }

  /** COCO uncompressed RLEs (column-major), computed natively without a full-size bitmap. */
  async toRLE(indices?: ArrayLike<number>): Promise<RLE[]> {
    const subset = this.subset(indices);
    if (subset.count === 0) return [];
    const rles = await native().renderMasks(subset.protos, subset.coef, subset.boxes, {
      ...this.request(),
      format: 'rle',
    });
    const size = this.shape;
    return Array.from({ length: subset.count }, (_, i) => ({
      size: [size[0], size[1]] as [number, number],
      counts: toNumbers(rles.counts, rles.offsets[i], rles.offsets[i + 1]),
    }));
  }

  /** The full n x height x width stack: big (300 masks of 12 MP are 3.6 GB); prefer all() or toRLE(). */
  async dense(indices?: ArrayLike<number>): Promise<Uint8Array> {
    const masks = await this.all(indices);
    const [h, w] = this.shape;
    const out = new Uint8Array(masks.length * h * w);
    masks.forEach((mask, i) => mask.toDense(out.subarray(i * h * w, (i + 1) * h * w)));
    return out;
  }

  private resolve(indices: ArrayLike<number>): number[] {
    return Array.from(indices, (i) => {
      if (!Number.isInteger(i) || i < 0 || i >= this.indices.length) {
        throw new FastSAMError('E_BAD_OPTION', `mask index ${i} is out of range [0, ${this.indices.length})`);
      }
      return this.indices[i];
    });
  }

  private subset(indices?: ArrayLike<number>): {
    count: number;
    protos: Float32Array;
    coef: Float32Array;
    boxes: Float32Array;
  } {
    const rows = indices === undefined ? Array.from(this.indices) : this.resolve(indices);
    const { nm, coef, cropBoxes, protos } = this.source;
    const outCoef = new Float32Array(rows.length * nm);
    const outBoxes = new Float32Array(rows.length * 4);
    rows.forEach((row, i) => {
      outCoef.set(coef.subarray(row * nm, (row + 1) * nm), i * nm);
      outBoxes.set(cropBoxes.subarray(row * 4, row * 4 + 4), i * 4);
    });
    return { count: rows.length, protos, coef: outCoef, boxes: outBoxes };
  }

  private request() {
    const s = this.source;
    return {
      nm: s.nm,
      protoHeight: s.protoHeight,
      protoWidth: s.protoWidth,
      mode: s.mode,
      inputHeight: s.inputHeight,
      inputWidth: s.inputWidth,
      maskHeight: s.maskHeight,
      maskWidth: s.maskWidth,
    };
  }
}
