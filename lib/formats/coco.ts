/**
 * COCO results format: one object per detection with an xywh box, a score and the mask as RLE,
 * compressed (pycocotools' string form) or not.
 */
import type { CompressedRLE, RLE } from '../masks/rle';
import { rleFromString, rleToString } from '../val/coco/rle';

export type { CompressedRLE } from '../masks/rle';

/** One detection in the COCO results format (what Result.toCOCO() gives and pycocotools' loadRes reads). */
export interface CocoDetection {
  /** The image id given to toCOCO(). */
  image_id: number | string;
  /** The class index, or the id the categoryIds option maps it to. */
  category_id: number;
  /** [x, y, width, height] in original image pixels, rounded to 3 decimals. */
  bbox: [number, number, number, number];
  /** Confidence, rounded to 5 decimals. */
  score: number;
  /** The mask as RLE (compressed unless asked otherwise); absent when masks were left out. */
  segmentation?: RLE | CompressedRLE;
}

/** pycocotools' rleToString: the compact string form of an uncompressed RLE. */
export function compressRle(rle: RLE): CompressedRLE {
  return { size: rle.size, counts: rleToString({ h: rle.size[0], w: rle.size[1], counts: Uint32Array.from(rle.counts) }) };
}

/** pycocotools' rleFrString: back to counts. */
export function decompressRle(rle: CompressedRLE): RLE {
  return { size: rle.size, counts: Array.from(rleFromString(rle.counts, rle.size[0], rle.size[1]).counts) };
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
