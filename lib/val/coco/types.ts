/** COCO JSON as the COCO API reads it: ground truth (instances_*.json) and detection results. */
import type { RleJson } from '../../masks/rle';

/** One or more polygons [x0, y0, x1, y1, ...] in pixels. */
export type CocoPolygons = number[][];

/** RLE as JSON: `counts` is a number list (uncompressed) or the compact string (one type: lib/masks/rle.ts). */
export type CocoRleJson = RleJson;

export type CocoSegmentation = CocoPolygons | CocoRleJson;

export interface CocoAnnotation {
  id: number;
  image_id: number;
  category_id: number;
  /** [x, y, width, height] in pixels. */
  bbox?: number[];
  segmentation?: CocoSegmentation;
  area?: number;
  iscrowd?: number;
  /** Detections only. */
  score?: number;
}

export interface CocoImage {
  id: number;
  width: number;
  height: number;
  file_name?: string;
}

export interface CocoCategory {
  id: number;
  name?: string;
}

export interface CocoDataset {
  images: CocoImage[];
  annotations: CocoAnnotation[];
  categories: CocoCategory[];
}

/** A detection as written by a model: the COCO results format (id, area and iscrowd are filled in). */
export type CocoResult = Omit<CocoAnnotation, 'id' | 'iscrowd' | 'area'> & { score: number };

export type CocoIouType = 'bbox' | 'segm';
