/**
 * COCO run-length encoding as JSON, the one set of RLE types for masks, exports and COCO evaluation:
 * runs over the mask in column-major order, starting with a (possibly empty) run of zeros.
 */

/** Uncompressed: the run lengths as numbers. */
export interface RLE {
  /** [height, width] of the mask. */
  size: [number, number];
  counts: number[];
}

/** Compressed: pycocotools' compact string form of the same runs. */
export interface CompressedRLE {
  size: [number, number];
  counts: string;
}

/** Either form, as COCO JSON carries a segmentation's RLE. */
export interface RleJson {
  size: [number, number];
  counts: number[] | string;
}
