/** One image's detections: boxes eagerly, masks lazily (see masks.ts). */
import { Boxes } from './boxes';
import { type CocoDetection, toCocoDetections } from '../formats/coco';
import { toYoloLines } from '../formats/yolo';
import type { ImageSource } from '../io/image';
import { Masks } from './masks';

/** Milliseconds per image, by stage (Ultralytics' `speed`). */
export interface Speed {
  /** Decoding and letterboxing the image. */
  preprocess: number;
  /** The network (a batch's time divided among its images). */
  inference: number;
  /** Detection (NMS); masks are rendered later, on request, and not counted. */
  postprocess: number;
}

/** One detection of Result.toJSON(). */
export interface DetectionJSON {
  /** Class name (the index as a string when the model names none). */
  name: string;
  /** Class index. */
  class: number;
  /** Confidence in [0, 1]. */
  confidence: number;
  /** The box corners in original image pixels. */
  box: {
    /** Left. */
    x1: number;
    /** Top. */
    y1: number;
    /** Right. */
    x2: number;
    /** Bottom. */
    y2: number;
  };
}

/**
 * One image's detections (Ultralytics' `Results`): boxes at once, masks rendered natively only when asked for. Returned by
 * FastSAM.predict() and stream(); prompts select from it.
 */
export class Result {
  constructor(
    /** [height, width] of the original image, in pixels. */
    readonly origShape: [number, number],
    /** Class names by index, from the model's metadata. */
    readonly names: Record<number, string>,
    /** The detection boxes, in original image pixels. */
    readonly boxes: Boxes,
    /** The detections' masks, one per box, in the same order. */
    readonly masks: Masks,
    /** Milliseconds per stage for this image. */
    readonly speed: Speed,
    /** The file path when the source was one. */
    readonly path?: string,
    /** The image the result came from, kept (not decoded) for plots. */
    readonly source?: ImageSource,
  ) {}

  /** Number of detections. */
  get length(): number {
    return this.boxes.length;
  }

  /** A result with only the detections at `indices`, in that order (prompts build on this). */
  select(indices: ArrayLike<number>): Result {
    return new Result(
      this.origShape,
      this.names,
      this.boxes.select(indices),
      this.masks.select(indices),
      this.speed,
      this.path,
      this.source,
    );
  }

  /**
   * COCO results (boxes xywh, scores, masks as RLE: compressed strings by default). RLEs are at the mask
   * size: the original image with retina masks, else the letterboxed input.
   */
  async toCOCO(
    imageId: number | string,
    options: { compressed?: boolean; masks?: boolean; categoryIds?: (cls: number) => number } = {},
  ): Promise<CocoDetection[]> {
    const rles = options.masks === false ? undefined : await this.masks.toRLE();
    return toCocoDetections(imageId, this.boxes.xyxy, this.boxes.conf, this.boxes.cls, rles, options);
  }

  /** YOLO segmentation label lines ("class x1 y1 ..." normalised), as Ultralytics' save_txt writes them. */
  async toYOLO(options: { conf?: boolean } = {}): Promise<string[]> {
    const polygons = await this.masks.toPolygons({ normalize: true });
    return toYoloLines(this.boxes.cls, polygons, options.conf ? this.boxes.conf : undefined);
  }

  /** Detections as plain JSON (masks are left out: use masks.toRLE() for them). */
  toJSON(): {
    /** The image file, when the source was a path. */
    path?: string;
    /** [height, width] of the image. */
    origShape: [number, number];
    /** Milliseconds per stage. */
    speed: Speed;
    /** One per detection, in result order. */
    detections: DetectionJSON[];
  } {
    const { xyxy, conf, cls } = this.boxes;
    const detections = Array.from({ length: this.length }, (_, i) => ({
      name: this.names[cls[i]] ?? String(cls[i]),
      class: cls[i],
      confidence: conf[i],
      box: { x1: xyxy[i * 4], y1: xyxy[i * 4 + 1], x2: xyxy[i * 4 + 2], y2: xyxy[i * 4 + 3] },
    }));
    return { ...(this.path !== undefined ? { path: this.path } : {}), origShape: this.origShape, speed: this.speed, detections };
  }
}
