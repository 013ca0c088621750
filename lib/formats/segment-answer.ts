/**
 * The segment answer's shape, with no imports: the server, queue workers and the web page (bundled for
 * the browser) all read it from here. Built by segment-json.ts.
 */

/** COCO compressed RLE: `counts` is pycocotools' string form, over a mask of `size` = [height, width]. */
export interface SegmentMask {
  /** The mask size: [height, width]. */
  size: [number, number];
  /** pycocotools' compact string form of the run lengths (column-major). */
  counts: string;
}

/** One detection of a segment answer. */
export interface SegmentDetection {
  /** [x1, y1, x2, y2] in original image pixels. */
  box: [number, number, number, number];
  /** Confidence in [0, 1]. */
  score: number;
  /** Class index. */
  class: number;
  /** Class name, from the model's metadata. */
  name: string;
  /** At the mask size: the image with retina masks, else the letterboxed network input. */
  mask?: SegmentMask;
}

/** The JSON answer of POST /v1/segment, of a queued job, and of toSegmentJSON(): one image's detections with COCO RLE masks. */
export interface SegmentAnswer {
  /** The original image's size, in pixels. */
  image: {
    /** Pixels. */
    width: number;
    /** Pixels. */
    height: number;
  };
  /** The detections (after any prompt). */
  detections: SegmentDetection[];
  /**
   * With letterboxed masks (retina off) only: where the image sits in them, mask = image * gain + pad
   * (scale_boxes' mapping, from the native core), so a reader maps masks and image without recomputing it.
   */
  frame?: {
    /** Scale from image pixels to mask pixels. */
    gain: number;
    /** Horizontal padding, in mask pixels. */
    padX: number;
    /** Vertical padding, in mask pixels. */
    padY: number;
  };
  /** Milliseconds per image: preprocess, inference, postprocess, plus what the server adds (prompt, encode). */
  speed: {
    /** Decoding and letterboxing the image. */
    preprocess: number;
    /** The network. */
    inference: number;
    /** Detection (NMS); mask work is counted in the keys the server or worker adds. */
    postprocess: number;
  } & Record<string, number>;
}
