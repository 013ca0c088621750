/**
 * Decoded images to one letterboxed float batch [B, 3, H, W] (native letterbox, off the JS thread).
 * Static exports get the reference's square letterbox (auto = False), exactly as the golden cases.
 */
import type { RawTensor } from '../pipeline';
import type { DecodedImage } from '../../io/image';
import { type LetterboxGeometry, native } from '../../native';

export interface PreparedBatch {
  tensor: RawTensor;
  geometries: LetterboxGeometry[];
}

export async function letterboxBatch(images: DecodedImage[], size: [number, number], stride: number): Promise<PreparedBatch> {
  const [h, w] = size;
  const plane = 3 * h * w;
  const data = new Float32Array(images.length * plane);
  const geometries = await Promise.all(
    images.map((image, i) =>
      native().letterbox(
        image.rgb,
        {
          width: image.width,
          height: image.height,
          newHeight: h,
          newWidth: w,
          stride,
          auto: false,
          scaleUp: true,
          offset: i * plane,
        },
        data,
      ),
    ),
  );
  return { tensor: { data, dims: [images.length, 3, h, w] }, geometries };
}
