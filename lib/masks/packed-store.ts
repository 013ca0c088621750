/**
 * Masks that arrive bit-packed (the GPU backend assembles them so, an eighth of the bytes to copy back):
 * kept packed, and unpacked natively, off the JS thread, only for the masks whose pixels are asked for.
 */
import type { Mask, RLE } from './mask';
import { rlesFromNative, smallestOnTop } from './mask-ops';
import { type MaskStore, masksFromNative } from './masks';
import { native } from '../native';

export class PackedMaskStore implements MaskStore {
  constructor(
    private readonly packed: Uint8Array,
    /** n x [x, y, width, height]. */
    private readonly windows: Int32Array,
    /** Where each mask's packed rows start. */
    private readonly starts: Float64Array,
    readonly shape: [number, number],
  ) {}

  get count(): number {
    return this.starts.length;
  }

  async crops(rows: number[]): Promise<Mask[]> {
    if (rows.length === 0) return [];
    const { windows, starts } = this.subset(rows);
    return masksFromNative(await native().unpackMasks(this.packed, windows, starts), rows.length, this.shape);
  }

  /** Natively from the bits: no unpacked crop is made. */
  async rles(rows: number[]): Promise<RLE[]> {
    if (rows.length === 0) return [];
    const { windows, starts } = this.subset(rows);
    const [maskHeight, maskWidth] = this.shape;
    const rles = await native().unpackMasks(this.packed, windows, starts, { format: 'rle', maskHeight, maskWidth });
    return rlesFromNative(rles, rows.length, this.shape);
  }

  async indexMap(rows: number[]): Promise<Int32Array> {
    return smallestOnTop(await this.crops(rows), this.shape);
  }

  private subset(rows: number[]): { windows: Int32Array; starts: Float64Array } {
    const windows = new Int32Array(rows.length * 4);
    const starts = new Float64Array(rows.length);
    rows.forEach((row, i) => {
      windows.set(this.windows.subarray(row * 4, row * 4 + 4), i * 4);
      starts[i] = this.starts[row];
    });
    return { windows, starts };
  }
}
