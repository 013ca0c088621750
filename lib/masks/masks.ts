/**
 * Lazy masks: a result keeps each mask's coefficients and crop box plus the image's prototypes, and
 * materialises pixels (natively, off the JS thread) only when asked, inside each mask's box.
 */
import { FastSAMError } from '../errors';
import { Mask, type RLE } from './mask';
import { frameOf } from './frame-mapping';
import type { FrameMapping, MaskFrame } from './mask-frame';
import { masksToIndexPng, maskToPng } from '../formats/png';
import { masksToPolygons, type PolygonOptions } from '../formats/polygons';
import { native, type NativeCrops, type PrototypesHandle } from '../native';
import { masksToRle, rlesFromNative, smallestOnTop } from './mask-ops';

export { Mask, type RLE } from './mask';

/** The native crop layout ({windows, offsets, bits}) as Mask objects over a mask of `shape`. */
export function masksFromNative(crops: NativeCrops, count: number, shape: [number, number]): Mask[] {
  return Array.from({ length: count }, (_, i) => {
    const [x, y, w, h] = crops.windows.subarray(i * 4, i * 4 + 4);
    return new Mask(x, y, w, h, crops.bits.subarray(crops.offsets[i], crops.offsets[i + 1]), shape);
  });
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

/** Where mask pixels come from: rendered on demand, or already materialised. */
export interface MaskStore {
  readonly shape: [number, number];
  readonly count: number;
  crops(rows: number[]): Promise<Mask[]>;
  rles(rows: number[]): Promise<RLE[]>;
  /** Per mask pixel, the position in `rows` of the smallest mask covering it, or -1. */
  indexMap(rows: number[]): Promise<Int32Array>;
}

/** Renders masks natively from coefficients and prototypes, inside their boxes, off the JS thread. */
export class LazyMaskStore implements MaskStore {
  /** The prototypes held natively: copied and transposed once, on the first render, then shared. */
  private prototypes?: Promise<PrototypesHandle>;

  constructor(private readonly source: MaskSource) {}

  private protos(): Promise<PrototypesHandle> {
    const { protos, nm, protoHeight, protoWidth } = this.source;
    if (!this.prototypes) {
      this.prototypes = native().maskPrototypes(protos, { nm, protoHeight, protoWidth });
      this.prototypes.catch(() => (this.prototypes = undefined)); // a failed copy is retried next time
    }
    return this.prototypes;
  }

  get shape(): [number, number] {
    return [this.source.maskHeight, this.source.maskWidth];
  }

  get count(): number {
    return this.source.cropBoxes.length / 4;
  }

  async crops(rows: number[]): Promise<Mask[]> {
    if (rows.length === 0) return [];
    const subset = this.subset(rows);
    const crops = await native().renderMasks(await this.protos(), subset.coef, subset.boxes, { ...this.request(), format: 'crop' });
    return masksFromNative(crops, rows.length, this.shape);
  }

  async rles(rows: number[]): Promise<RLE[]> {
    if (rows.length === 0) return [];
    const subset = this.subset(rows);
    const rles = await native().renderMasks(await this.protos(), subset.coef, subset.boxes, { ...this.request(), format: 'rle' });
    return rlesFromNative(rles, rows.length, this.shape);
  }

  async indexMap(rows: number[]): Promise<Int32Array> {
    const [h, w] = this.shape;
    if (rows.length === 0) return new Int32Array(h * w).fill(-1);
    const subset = this.subset(rows);
    return native().paintIndexMap(await this.protos(), subset.coef, subset.boxes, { ...this.request(), format: 'crop' });
  }

  private subset(rows: number[]): { coef: Float32Array; boxes: Float32Array } {
    const { nm, coef, cropBoxes } = this.source;
    const outCoef = new Float32Array(rows.length * nm);
    const outBoxes = new Float32Array(rows.length * 4);
    rows.forEach((row, i) => {
      outCoef.set(coef.subarray(row * nm, (row + 1) * nm), i * nm);
      outBoxes.set(cropBoxes.subarray(row * 4, row * 4 + 4), i * 4);
    });
    return { coef: outCoef, boxes: outBoxes };
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

/** Masks that already exist as pixels (e.g. the merged mask of a point prompt). */
export class MaterializedMaskStore implements MaskStore {
  constructor(
    private readonly masks: Mask[],
    readonly shape: [number, number],
  ) {}

  get count(): number {
    return this.masks.length;
  }

  async crops(rows: number[]): Promise<Mask[]> {
    return rows.map((row) => this.masks[row]);
  }

  async rles(rows: number[]): Promise<RLE[]> {
    return masksToRle(
      rows.map((row) => this.masks[row]),
      this.shape,
    );
  }

  async indexMap(rows: number[]): Promise<Int32Array> {
    return smallestOnTop(
      rows.map((row) => this.masks[row]),
      this.shape,
    );
  }
}

/**
 * A result's masks. Pixels are materialised only on request: `all()` (cropped to each box), `toRLE()`,
 * `dense()` (the full stack: big). `frame` maps mask coordinates to image pixels.
 */
export class Masks {
  /** How mask pixels map to image pixels (the letterbox, or the identity for retina masks). */
  readonly frame: MaskFrame;

  /**
   * `mapping`: the letterbox's (e.g. the LetterboxGeometry of the letterbox that made the input) when the
   * masks are letterboxed; asked from the native core when left out.
   * @internal Masks come from predict() and select(); the stores behind them are not public.
   */
  constructor(
    private readonly store: MaskStore,
    private readonly indices: Uint32Array,
    origShape: [number, number],
    mapping?: FrameMapping,
  ) {
    this.frame = frameOf(store.shape, origShape, mapping);
  }

  /** Number of masks. */
  get length(): number {
    return this.indices.length;
  }

  /** `[height, width]`: the original image size with retina masks, else the letterboxed input size. */
  get shape(): [number, number] {
    return [this.store.shape[0], this.store.shape[1]];
  }

  /** Masks for a subset of detections, in the given order (shares the underlying store). */
  select(indices: ArrayLike<number>): Masks {
    return new Masks(this.store, Uint32Array.from(this.resolve(indices)), this.frame.origShape, this.frame);
  }

  /** One mask, cropped to its window. Throws E_BAD_OPTION for an index out of range. */
  async get(index: number): Promise<Mask> {
    const [mask] = await this.all([index]);
    return mask;
  }

  /** Every mask (or those at `indices`) cropped to its window. */
  async all(indices?: ArrayLike<number>): Promise<Mask[]> {
    return this.store.crops(this.rows(indices));
  }

  /** COCO uncompressed RLEs (column-major), computed without a full-size bitmap. */
  async toRLE(indices?: ArrayLike<number>): Promise<RLE[]> {
    return this.store.rles(this.rows(indices));
  }

  /** The full n x height x width stack: big (300 masks of 12 MP are 3.6 GB); prefer all() or toRLE(). */
  async dense(indices?: ArrayLike<number>): Promise<Uint8Array> {
    const masks = await this.all(indices);
    const [h, w] = this.shape;
    const out = new Uint8Array(masks.length * h * w);
    masks.forEach((mask, i) => mask.toDense(out.subarray(i * h * w, (i + 1) * h * w)));
    return out;
  }

  /**
   * Per mask pixel, the index (into these masks) of the smallest mask covering it, -1 for none: how plots
   * layer masks. Lazy masks are painted natively without rendering any mask in full; their order comes
   * from areas measured at prototype resolution.
   */
  async indexMap(): Promise<Int32Array> {
    return this.store.indexMap(Array.from(this.indices));
  }

  /** Outlines in image pixels, one flat [x0, y0, ...] polygon per mask (Ultralytics' masks.xy / xyn). */
  async toPolygons(options: PolygonOptions & { indices?: ArrayLike<number> } = {}): Promise<Float32Array[]> {
    return masksToPolygons(await this.all(options.indices), this.frame, options);
  }

  /** One PNG per mask (0/255), or with `indexMap` a single PNG where pixel value i + 1 marks mask i. */
  async toPNG(options: { indexMap: true }): Promise<Buffer>;
  async toPNG(options?: { indexMap?: false }): Promise<Buffer[]>;
  async toPNG(options: { indexMap?: boolean } = {}): Promise<Buffer | Buffer[]> {
    const masks = await this.all();
    if (options.indexMap) return masksToIndexPng(masks, this.shape);
    return Promise.all(masks.map(maskToPng));
  }

  private rows(indices?: ArrayLike<number>): number[] {
    return indices === undefined ? Array.from(this.indices) : this.resolve(indices);
  }

  private resolve(indices: ArrayLike<number>): number[] {
    return Array.from(indices, (i) => {
      if (!Number.isInteger(i) || i < 0 || i >= this.indices.length) {
        throw new FastSAMError('E_BAD_OPTION', `mask index ${i} is out of range [0, ${this.indices.length})`);
      }
      return this.indices[i];
    });
  }
}
