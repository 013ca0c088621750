/** Native geometry on cropped masks: contours (cv2.findContours) and the plot clean-up (close, open). */
import { Mask } from './mask';
import { type NativeContours, native } from '../native';

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
