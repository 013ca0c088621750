/** One image's detections: boxes eagerly, masks lazily (see masks.ts). */
import { Boxes } from './boxes';
import { type CocoDetection, toCocoDetections } from '../formats/coco';
import { toYoloLines } from '../formats/yolo';
import type { ImageSource } from '../io/image';
import { Masks } from './masks';

export interface Speed {
  /** Milliseconds per image. */
  preprocess: number;
  inference: number;
  postprocess: number;
}

export interface DetectionJSON {
  name: string;
  class: number;
  confidence: number;
  box: { x1: number; y1: number; x2: number; y2: number };
}

export class Result {
  constructor(
    readonly origShape: [number, number],
    readonly names: Record<number, string>,
    readonly boxes: Boxes,
    readonly masks: Masks,
    readonly speed: Speed,
    /** The file path when the source was one. */
    readonly path?: string,
    /** The image the result came from, kept (not decoded) for plots. */
    readonly source?: ImageSource,
  ) {}

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
  toJSON(): { path?: string; origShape: [number, number]; speed: Speed; detections: DetectionJSON[] } {
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
