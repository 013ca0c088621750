/**
 * One validation batch as the model sees it: every image loaded (load_image's resize) and letterboxed
 * with scaleup off into the batch's shape, plus where each image landed (for its labels and boxes).
 */
import { native } from '../native';
import type { RawTensor } from '../backends/pipeline';
import type { DatasetItem } from './dataset/dataset';
import type { ValGeometry } from './dataset/ground-truth';
import { loadImage } from './dataset/load-image';

export interface PreparedBatch {
  tensor: RawTensor;
  geometries: ValGeometry[];
}

/**
 * @param size the model's fixed batch size, if any: short batches are padded with blank (gray) images
 */
export async function prepareBatch(
  items: DatasetItem[],
  shape: [number, number],
  imgsz: number,
  stride: number,
  size?: number,
): Promise<PreparedBatch> {
  const [h, w] = shape;
  const plane = 3 * h * w;
  const n = Math.max(size ?? items.length, items.length);
  const data = new Float32Array(n * plane).fill(114 / 255);
  const geometries = await Promise.all(
    items.map(async (item, i) => {
      const img = await loadImage(item.file, imgsz);
      const g = await native().letterbox(
        img.rgb,
        { width: img.width, height: img.height, newHeight: h, newWidth: w, stride, auto: false, scaleUp: false, offset: i * plane },
        data,
      );
      return {
        origH: img.origHeight,
        origW: img.origWidth,
        resizedH: img.height,
        resizedW: img.width,
        inputH: h,
        inputW: w,
        r: Math.min(h / img.height, w / img.width, 1),
        dw: (w - g.unpadWidth) / 2,
        dh: (h - g.unpadHeight) / 2,
        gain: img.height / img.origHeight,
      };
    }),
  );
  return { tensor: { data, dims: [n, 3, h, w] }, geometries };
}
