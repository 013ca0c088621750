/**
 * The parts of pycocotools' COCO class that evaluation uses: the index, loadRes (results become
 * annotations with ids, areas and boxes filled in exactly as pycocotools fills them), and annToRLE.
 */
import { FastSAMError } from '../../errors';
import { checkInteger, invalid } from '../../options/check';
import { type Rle, rleArea, rleFromPolygon, rleFromString, rleMerge, rleToBbox } from './rle';
import type { CocoAnnotation, CocoDataset, CocoImage, CocoResult, CocoRleJson, CocoSegmentation } from './types';

export class CocoIndex {
  readonly imgs = new Map<number, CocoImage>();
  readonly imgToAnns = new Map<number, CocoAnnotation[]>();

  constructor(readonly dataset: CocoDataset) {
    for (const img of dataset.images) this.imgs.set(img.id, img);
    for (const ann of dataset.annotations) {
      const list = this.imgToAnns.get(ann.image_id);
      if (list) list.push(ann);
      else this.imgToAnns.set(ann.image_id, [ann]);
    }
  }

  get imgIds(): number[] {
    return [...this.imgs.keys()];
  }

  get catIds(): number[] {
    return this.dataset.categories.map((c) => c.id);
  }

  /** Annotations of these images (in image order, then file order) whose category is in catIds. */
  annotations(imgIds: number[], catIds: number[]): CocoAnnotation[] {
    const cats = new Set(catIds);
    return imgIds.flatMap((id) => this.imgToAnns.get(id) ?? []).filter((a) => cats.has(a.category_id));
  }

  /** annToRLE: polygons are rasterised and merged, an uncompressed RLE taken as is, a string decoded. */
  toRle(ann: CocoAnnotation): Rle {
    const img = this.imgs.get(ann.image_id);
    if (!img) throw new FastSAMError('E_BAD_OPTION', `annotation ${ann.id} refers to image ${ann.image_id}, which is not in the dataset`);
    return segmentationToRle(ann.segmentation, img.height, img.width, `annotation ${ann.id}`);
  }
}

// RLE counts are unsigned 32-bit, as in maskApi.c: an image must have fewer pixels than that.
const MAX_PIXELS = 2 ** 32 - 1;

function checkImageSize(h: unknown, w: unknown, what: string): void {
  checkInteger(`${what} height`, h, 1, MAX_PIXELS);
  checkInteger(`${what} width`, w, 1, Math.floor(MAX_PIXELS / (h as number)));
}

export function segmentationToRle(segm: CocoSegmentation | undefined, h: number, w: number, what: string): Rle {
  checkImageSize(h, w, `the image of ${what}`);
  if (Array.isArray(segm)) {
    return rleMerge(
      segm.map((poly) => {
        if (!Array.isArray(poly)) invalid(`the polygons of ${what}`, 'arrays of numbers', poly);
        return rleFromPolygon(poly, h, w);
      }),
    );
  }
  if (segm && typeof segm === 'object' && Array.isArray(segm.size)) {
    const [rh, rw] = (segm as CocoRleJson).size;
    checkImageSize(rh, rw, `the RLE of ${what}`);
    const { counts } = segm as CocoRleJson;
    if (typeof counts === 'string') return rleFromString(counts, rh, rw);
    if (Array.isArray(counts)) return { h: rh, w: rw, counts: Uint32Array.from(counts) };
  }
  throw new FastSAMError('E_BAD_OPTION', `${what} has no usable segmentation (polygons or RLE)`);
}

/**
 * loadRes: results become annotations. As in pycocotools the first result decides the kind: with a
 * non-empty `bbox` the area is w * h (and a box polygon stands in for a missing segmentation); otherwise
 * the area and box come from the segmentation.
 */
export function loadResults(gt: CocoIndex, results: CocoResult[]): CocoIndex {
  if (!Array.isArray(results)) throw new FastSAMError('E_BAD_OPTION', 'detection results must be a JSON list');
  const missing = results.find((r) => !gt.imgs.has(r.image_id));
  if (missing) {
    throw new FastSAMError('E_BAD_OPTION', `results refer to image ${missing.image_id}, which is not in the ground truth`);
  }
  const first = results[0];
  const boxKind = first !== undefined && Array.isArray(first.bbox) && first.bbox.length > 0;
  const annotations: CocoAnnotation[] = results.map((r, i) => {
    const ann: CocoAnnotation = { ...r, id: i + 1, iscrowd: 0 };
    if (boxKind) {
      const bb = r.bbox ?? [];
      const [x1, y1] = [bb[0], bb[1]];
      const [x2, y2] = [bb[0] + bb[2], bb[1] + bb[3]];
      if (ann.segmentation === undefined) ann.segmentation = [[x1, y1, x1, y2, x2, y2, x2, y1]];
      ann.area = bb[2] * bb[3];
    } else if (r.segmentation !== undefined) {
      const img = gt.imgs.get(r.image_id) as CocoImage;
      const rle = segmentationToRle(r.segmentation, img.height, img.width, `result ${i}`);
      ann.area = rleArea(rle);
      if (ann.bbox === undefined) ann.bbox = rleToBbox(rle);
    } else {
      throw new FastSAMError('E_BAD_OPTION', `result ${i} has neither a bbox nor a segmentation`);
    }
    return ann;
  });
  return new CocoIndex({ images: gt.dataset.images, annotations, categories: gt.dataset.categories });
}
