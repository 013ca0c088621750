/**
 * The everything answer in the page: each mask's COCO RLE decoded (pycocotools' string form, the
 * library's own decoder) into a bitmap cropped to its pixels, the frame that maps image pixels to mask
 * pixels, and an index map (smallest mask on top, as the library's plots layer them) for hover and
 * drawing.
 */
import type { SegmentAnswer, SegmentDetection, SegmentMask } from '../../formats/segment-answer';
import { maskFrame, type MaskFrame } from '../../masks/mask-frame';
import type { MaskBitmap } from '../../prompts/bitmaps';
import { rleEncode, rleFromString, rleToString } from '../../val/coco/rle';

export interface Everything {
  answer: SegmentAnswer;
  detections: SegmentDetection[];
  masks: MaskBitmap[];
  areas: number[];
  /** [height, width] of the masks. */
  shape: [number, number];
  frame: MaskFrame;
  /** Per mask pixel: the smallest mask covering it, or -1. */
  indexMap: Int32Array;
}

/** A COCO RLE (column-major runs, starting with zeros) as a bitmap cropped to its set pixels. */
export function decodeMask(mask: SegmentMask): MaskBitmap {
  const [h, w] = mask.size;
  const { counts } = rleFromString(mask.counts, h, w);
  let x0 = w;
  let y0 = h;
  let x1 = -1;
  let y1 = -1;
  let at = 0;
  for (let r = 0; r < counts.length; r++) {
    const start = at;
    at += counts[r];
    if (r % 2 === 0 || counts[r] === 0) continue;
    const end = at - 1;
    const cs = Math.floor(start / h);
    const ce = Math.floor(end / h);
    x0 = Math.min(x0, cs);
    x1 = Math.max(x1, ce);
    y0 = Math.min(y0, ce > cs ? 0 : start % h);
    y1 = Math.max(y1, ce > cs ? h - 1 : end % h);
  }
  if (x1 < 0) return { x: 0, y: 0, width: 0, height: 0, data: new Uint8Array(0) };
  const width = x1 - x0 + 1;
  const height = y1 - y0 + 1;
  const data = new Uint8Array(width * height);
  at = 0;
  for (let r = 0; r < counts.length; r++) {
    const start = at;
    at += counts[r];
    if (r % 2 === 0) continue;
    for (let k = start; k < at; k++) {
      const x = Math.floor(k / h);
      const y = k - x * h;
      data[(y - y0) * width + (x - x0)] = 1;
    }
  }
  return { x: x0, y: y0, width, height, data };
}

export function bitmapArea(m: MaskBitmap): number {
  let sum = 0;
  for (let k = 0; k < m.data.length; k++) sum += m.data[k];
  return sum;
}

/** A full height x width bitmap (row-major) cropped to its set pixels. */
export function cropBitmap(full: Uint8Array, [h, w]: [number, number]): MaskBitmap {
  let x0 = w;
  let y0 = h;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (!full[y * w + x]) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      y1 = y;
    }
  }
  if (x1 < 0) return { x: 0, y: 0, width: 0, height: 0, data: new Uint8Array(0) };
  const width = x1 - x0 + 1;
  const height = y1 - y0 + 1;
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) data.set(full.subarray((y0 + y) * w + x0, (y0 + y) * w + x0 + width), y * width);
  return { x: x0, y: y0, width, height, data };
}

/** A bitmap over a mask of `shape` as COCO compressed RLE (the library's encoder). */
export function encodeMask(m: MaskBitmap, [h, w]: [number, number]): SegmentMask {
  const columnMajor = new Uint8Array(h * w);
  for (let y = 0; y < m.height; y++) {
    for (let x = 0; x < m.width; x++) if (m.data[y * m.width + x]) columnMajor[(m.x + x) * h + m.y + y] = 1;
  }
  return { size: [h, w], counts: rleToString(rleEncode(columnMajor, h, w)) };
}

export function readEverything(answer: SegmentAnswer): Everything {
  const detections = answer.detections.filter((d) => d.mask);
  const origShape: [number, number] = [answer.image.height, answer.image.width];
  const shape: [number, number] = detections[0]?.mask?.size ?? origShape;
  const masks = detections.map((d) => decodeMask(d.mask!));
  const areas = masks.map(bitmapArea);
  const [h, w] = shape;
  const indexMap = new Int32Array(h * w).fill(-1);
  const order = masks.map((_, i) => i).sort((a, b) => areas[b] - areas[a] || a - b);
  for (const i of order) {
    const m = masks[i];
    for (let y = 0; y < m.height; y++) {
      const row = (m.y + y) * w + m.x;
      for (let x = 0; x < m.width; x++) if (m.data[y * m.width + x]) indexMap[row + x] = i;
    }
  }
  // Letterboxed masks come with the server's mapping (the native core's geometry), never recomputed here.
  return { answer, detections, masks, areas, shape, frame: maskFrame(shape, origShape, answer.frame), indexMap };
}
