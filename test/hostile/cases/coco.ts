/** Hostile COCO annotations: polygons with far-away or absurd coordinates, and absurd image sizes. */
import { evaluateCoco } from '../../../lib/val/coco/eval';
import type { CocoDataset, CocoResult } from '../../../lib/val/coco/types';

function evaluate(polygon: number[], image = { width: 640, height: 480 }): number {
  const gt: CocoDataset = {
    images: [{ id: 1, ...image }],
    categories: [{ id: 1 }],
    annotations: [{ id: 1, image_id: 1, category_id: 1, segmentation: [polygon], area: 1000, bbox: [10, 10, 100, 100], iscrowd: 0 }],
  };
  const results: CocoResult[] = [{ image_id: 1, category_id: 1, score: 0.9, segmentation: [[10, 10, 110, 10, 110, 110, 10, 110]] }];
  return evaluateCoco(gt, results, 'segm').stats[0];
}

/** A triangle reaching 2e8: a billion boundary points in pycocotools; aborted the process. */
export const far = (coordinate: number): number => evaluate([10, 10, coordinate, 10, 10, coordinate]);

/** The image's own square: AP 1 against a detection of the same square. */
export const exact = (): number => evaluate([10, 10, 110, 10, 110, 110, 10, 110]);

/** 200,000 vertices zigzagging far outside the image: clipped, yet still too long a walk. */
export const zigzag = (): number => {
  const polygon: number[] = [];
  for (let i = 0; i < 200_000; i++) polygon.push(i % 2 ? -1e7 : 1e7, (i * 480) / 200_000);
  return evaluate(polygon);
};

export const imageSize = (width: number, height: number): number => evaluate([10, 10, 110, 10, 110, 110], { width, height });
