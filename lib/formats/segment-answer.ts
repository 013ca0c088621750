/**
 * The segment answer's shape, with no imports: the server, queue workers and the web page (bundled for
 * the browser) all read it from here. Built by segment-json.ts.
 */

/** COCO compressed RLE: `counts` is pycocotools' string form, over a mask of `size` = [height, width]. */
export interface SegmentMask {
  size: [number, number];
  counts: string;
}

export interface SegmentDetection {
  /** [x1, y1, x2, y2] in original image pixels. */
  box: [number, number, number, number];
  score: number;
  class: number;
  name: string;
  /** At the mask size: the image with retina masks, else the letterboxed network input. */
  mask?: SegmentMask;
}

export interface SegmentAnswer {
  image: { width: number; height: number };
  detections: SegmentDetection[];
  /**
   * With letterboxed masks (retina off) only: where the image sits in them, mask = image * gain + pad
   * (scale_boxes' mapping, from the native core), so a reader maps masks and image without recomputing it.
   */
  frame?: { gain: number; padX: number; padY: number };
  /** Milliseconds per image: preprocess, inference, postprocess, plus what the server adds (prompt, encode). */
  speed: { preprocess: number; inference: number; postprocess: number } & Record<string, number>;
}
