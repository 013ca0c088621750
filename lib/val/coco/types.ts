/** COCO JSON as the COCO API reads it: ground truth (instances_*.json) and detection results. */
import type { RleJson } from '../../masks/rle';

/**
 * One or more polygons [x0, y0, x1, y1, ...] in pixels.
 * @inline
 */
export type CocoPolygons = number[][];

/**
 * RLE as JSON: `counts` is a number list (uncompressed) or the compact string (one type: lib/masks/rle.ts).
 * @inline
 */
export type CocoRleJson = RleJson;

/**
 * A segmentation in COCO JSON: polygons or an RLE.
 * @inline
 */
export type CocoSegmentation = CocoPolygons | CocoRleJson;

/**
 * One COCO annotation: a ground-truth object, or (with `score`) a detection.
 * @inline
 */
export interface CocoAnnotation {
  /** Annotation id. */
  id: number;
  /** The image it belongs to. */
  image_id: number;
  /** Its category. */
  category_id: number;
  /** [x, y, width, height] in pixels. */
  bbox?: number[];
  /** Its mask: polygons or an RLE. */
  segmentation?: CocoSegmentation;
  /** Area in square pixels: sorts ground truth into the small, medium and large ranges (detections get theirs computed). */
  area?: number;
  /** 1 for a crowd region (matches are not counted against it), else 0. */
  iscrowd?: number;
  /** Detections only. */
  score?: number;
}

/**
 * One image entry of a COCO dataset.
 * @inline
 */
export interface CocoImage {
  /** Image id. */
  id: number;
  /** Pixels. */
  width: number;
  /** Pixels. */
  height: number;
  /** The image file. */
  file_name?: string;
}

/**
 * One category of a COCO dataset.
 * @inline
 */
export interface CocoCategory {
  /** Category id. */
  id: number;
  /** Category name. */
  name?: string;
}

/** COCO ground truth (instances_*.json), the parts evaluation reads. */
export interface CocoDataset {
  /** The images. */
  images: CocoImage[];
  /** The ground-truth objects. */
  annotations: CocoAnnotation[];
  /** The categories. */
  categories: CocoCategory[];
}

/** A detection as written by a model: the COCO results format (id, area and iscrowd are filled in). */
export type CocoResult = Omit<CocoAnnotation, 'id' | 'iscrowd' | 'area'> & {
  /** The detection's confidence. */
  score: number;
};

/**
 * What a COCO evaluation matches on: boxes ('bbox') or masks ('segm').
 * @inline
 */
export type CocoIouType = 'bbox' | 'segm';
