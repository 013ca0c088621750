/**
 * COCO results format: one object per detection with an xywh box, a score and the mask as RLE,
 * compressed (pycocotools' string form) or not.
 */
import type { RLE } from '../mask';

export interface CompressedRLE {
  size: [number, number];
  counts: string;
}

export interface CocoDetection {
  image_id: number | string;
  category_id: number;
  bbox: [number, number, number, number];
  score: number;
  segmentation?: RLE | CompressedRLE;
}

/**
 * pycocotools' rleToString: each count (from the third on, as a difference to the count two before) in
 * 5-bit groups, low first, 0x20 marking "more", offset by 48 into printable ASCII.
 */
export function compressRle(rle: RLE): CompressedRLE {
  let out = '';
  rle.counts.forEach((count, i) => {
    let x = i > 2 ? count - rle.counts[i - 2] : count;
    let more = true;
    while (more) {
      let c = ((x % 32) + 32) % 32; // x & 0x1f on a possibly negative number
      x = Math.floor(x / 32); // arithmetic shift right by 5
      more = c & 0x10 ? x !== -1 : x !== 0;
      if (more) c |= 0x20;
      out += String.fromCharCode(c + 48);
    }
  });
  return { size: rle.size, counts: out };
}

/** The inverse of compressRle (pycocotools' rleFrString). */
export function decompressRle(rle: CompressedRLE): RLE {
  const counts: number[] = [];
  const s = rle.counts;
  let p = 0;
  while (p < s.length) {
    let x = 0;
    let k = 0;
    let more = true;
    while (more) {
      const c = s.charCodeAt(p) - 48;
      x += (c & 0x1f) * 2 ** (5 * k);
      more = (c & 0x20) !== 0;
      p++;
      k++;
      if (!more && c & 0x10) x -= 2 ** (5 * k); // sign-extend
    }
    if (counts.length > 2) x += counts[counts.length - 2];
    counts.push(x);
  }
  return { size: rle.size, counts };
}

const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;

/** Detections of one image as COCO results (boxes rounded to 3 decimals and scores to 5, as Ultralytics writes them). */
export function toCocoDetections(
  imageId: number | string,
  xyxy: Float32Array,
  conf: Float32Array,
  cls: Float32Array,
  rles: RLE[] | undefined,
  options: { compressed?: boolean; categoryIds?: (cls: number) => number } = {},
): CocoDetection[] {
  const category = options.categoryIds ?? ((c: number) => c);
  return Array.from(conf, (score, i) => {
    const [x1, y1, x2, y2] = xyxy.subarray(i * 4, i * 4 + 4);
    const detection: CocoDetection = {
      image_id: imageId,
      category_id: category(cls[i]),
      bbox: [round(x1, 3), round(y1, 3), round(x2 - x1, 3), round(y2 - y1, 3)],
      score: round(score, 5),
    };
    if (rles) detection.segmentation = options.compressed === false ? rles[i] : compressRle(rles[i]);
    return detection;
  });
}
