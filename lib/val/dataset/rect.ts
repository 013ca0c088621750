/**
 * Rectangular validation batches (set_rectangle): images sorted by aspect ratio h / w, split into batches,
 * each batch letterboxed to ceil(shape * imgsz / stride + 0.5) * stride where shape is [max ratio, 1] for
 * a batch of landscape images, [1, 1 / min ratio] for portrait ones, [1, 1] for a mix.
 */
import { argsortNumpy } from '../metrics/numpy-argsort';

export interface RectPlan {
  /** Indices into the input, in processing order. */
  order: number[];
  /** Consecutive slices of `order` (image indices), each with its letterbox [height, width]. */
  batches: Array<{ items: number[]; shape: [number, number] }>;
}

export function planRectBatches(shapes: Array<[number, number]>, imgsz: number, stride: number, batch: number, pad = 0.5): RectPlan {
  const ar = shapes.map(([h, w]) => h / w);
  const order = argsortNumpy(ar); // ar.argsort(): NumPy's order for equal ratios
  const batches: RectPlan['batches'] = [];
  for (let start = 0; start < order.length; start += batch) {
    const items = order.slice(start, start + batch);
    const ratios = items.map((i) => ar[i]);
    const mini = Math.min(...ratios);
    const maxi = Math.max(...ratios);
    let rel: [number, number] = [1, 1];
    if (maxi < 1) rel = [maxi, 1];
    else if (mini > 1) rel = [1, 1 / mini];
    const shape = rel.map((v) => Math.ceil((v * imgsz) / stride + pad) * stride) as [number, number];
    batches.push({ items, shape });
  }
  return { order, batches };
}
