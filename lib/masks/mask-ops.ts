/**
 * Native work on cropped masks, off the JS thread, many masks per call: contours (cv2.findContours), the
 * plot clean-up (close, open), measures (areas, bounds, pixels inside rects, points held), painting
 * (prompt paint plans, smallest-on-top index maps) and COCO RLE.
 */
import { Mask, type RLE } from './mask';
import { type NativeContours, type NativeMeasures, type NativeRles, native } from '../native';

/** Packs masks into the {bits, windows, offsets} form the native functions take. */
export function packMasks(masks: Mask[]): { bits: Uint8Array; windows: Int32Array; offsets: Float64Array } {
  const windows = new Int32Array(masks.length * 4);
  const offsets = new Float64Array(masks.length + 1);
  masks.forEach((m, i) => {
    windows.set([m.x, m.y, m.width, m.height], i * 4);
    offsets[i + 1] = offsets[i] + m.data.length;
  });
  const bits = new Uint8Array(offsets[masks.length]);
  masks.forEach((m, i) => bits.set(m.data, offsets[i]));
  return { bits, windows, offsets };
}

/** A plain number[] copy of values[begin, end): a counted loop is several times faster than Array.from. */
function toNumbers(values: Uint32Array, begin: number, end: number): number[] {
  const out = new Array<number>(end - begin);
  for (let i = begin; i < end; i++) out[i - begin] = values[i];
  return out;
}

/** The native RLE layout ({offsets, counts}) as COCO RLE objects over a mask of `shape`. */
export function rlesFromNative(rles: NativeRles, count: number, shape: [number, number]): RLE[] {
  return Array.from({ length: count }, (_, i) => ({
    size: [shape[0], shape[1]] as [number, number],
    counts: toNumbers(rles.counts, rles.offsets[i], rles.offsets[i + 1]),
  }));
}

export interface MaskContour {
  /** x, y pairs in mask coordinates. */
  points: Int32Array;
  hole: boolean;
  /** Index of the enclosing contour in the same mask's list, or -1. */
  parent: number;
}

/** Contours per mask: 'external' = outer borders of top-level parts (RETR_EXTERNAL), 'all' = RETR_TREE. */
export async function traceContours(masks: Mask[], retrieval: 'external' | 'all' = 'external', simple = true): Promise<MaskContour[][]> {
  if (masks.length === 0) return [];
  const { bits, windows, offsets } = packMasks(masks);
  const found: NativeContours = await native().traceContours(bits, windows, offsets, { retrieval, simple });
  return masks.map((_, m) => {
    const first = found.maskOffsets[m];
    const out: MaskContour[] = [];
    for (let c = first; c < found.maskOffsets[m + 1]; c++) {
      const points = found.points.slice(found.contourOffsets[c] * 2, found.contourOffsets[c + 1] * 2);
      const parent = found.parents[c];
      out.push({ points, hole: found.holes[c] === 1, parent: parent < 0 ? -1 : parent });
    }
    return out;
  });
}

/** FastSAM's plot clean-up (better_quality): MORPH_CLOSE 3x3 then MORPH_OPEN 8x8, per mask. */
export async function refineMasks(masks: Mask[]): Promise<Mask[]> {
  if (masks.length === 0) return [];
  const [h, w] = masks[0].shape;
  const { bits, windows, offsets } = packMasks(masks);
  const out = await native().refineMasks(bits, windows, offsets, { maskWidth: w, maskHeight: h });
  return masks.map((m, i) => {
    const [x, y, width, height] = out.windows.subarray(i * 4, i * 4 + 4);
    return new Mask(x, y, width, height, out.bits.subarray(out.offsets[i], out.offsets[i + 1]), m.shape);
  });
}

/** Areas and tight bounds of each mask, plus pixels inside `rects` (k x 4) and which `pixels` (m x 2) each holds. */
export async function measureMasks(masks: Mask[], plan: { rects?: Int32Array; pixels?: Int32Array } = {}): Promise<NativeMeasures> {
  const { bits, windows, offsets } = packMasks(masks);
  return native().measureMasks(bits, windows, offsets, plan);
}

/**
 * Runs a paint plan over masks of `shape` (ops: k x [mask, 0 set | 1 clear | 2 add, amount], in order, on
 * an all-zero picture): the pixels >= 1 as one tight Mask.
 */
export async function paintMasks(masks: Mask[], ops: Int32Array, shape: [number, number]): Promise<Mask> {
  const { bits, windows, offsets } = packMasks(masks);
  const out = await native().paintMasks(bits, windows, offsets, { ops, maskHeight: shape[0], maskWidth: shape[1] });
  const [x, y, width, height] = out.window;
  return new Mask(x, y, width, height, out.bits, shape);
}

/**
 * For each mask pixel, the index of the smallest mask covering it (-1 for none): masks are painted from
 * the largest to the smallest area, so the smallest ends on top, as FastSAM's plot shows them.
 */
export async function smallestOnTop(masks: Mask[], shape: [number, number]): Promise<Int32Array> {
  if (masks.length === 0) return new Int32Array(shape[0] * shape[1]).fill(-1);
  const { bits, windows, offsets } = packMasks(masks);
  return native().smallestOnTop(bits, windows, offsets, { maskHeight: shape[0], maskWidth: shape[1] });
}

/** COCO uncompressed RLEs (column-major) of masks over `shape`. */
export async function masksToRle(masks: Mask[], shape: [number, number]): Promise<RLE[]> {
  if (masks.length === 0) return [];
  const { bits, windows, offsets } = packMasks(masks);
  return rlesFromNative(
    await native().cropsToRle(bits, windows, offsets, { maskHeight: shape[0], maskWidth: shape[1] }),
    masks.length,
    shape,
  );
}
