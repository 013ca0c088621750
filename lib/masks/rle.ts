/**
 * COCO run-length encoding as JSON, the one set of RLE types for masks, exports and COCO evaluation:
 * runs over the mask in column-major order, starting with a (possibly empty) run of zeros.
 */

/** Uncompressed: the run lengths as numbers. */
export interface RLE {
  /** [height, width] of the mask. */
  size: [number, number];
  /** Run lengths, alternating zeros and ones, starting with zeros. */
  counts: number[];
}

/** Compressed: pycocotools' compact string form of the same runs. */
export interface CompressedRLE {
  /** [height, width] of the mask. */
  size: [number, number];
  /** pycocotools' compact string of the run lengths. */
  counts: string;
}

/**
 * Either form, as COCO JSON carries a segmentation's RLE.
 * @inline
 */
export interface RleJson {
  /** [height, width] of the mask. */
  size: [number, number];
  /** Run lengths as numbers (uncompressed) or as the compact string (compressed). */
  counts: number[] | string;
}
