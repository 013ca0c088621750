/**
 * Decoded images to one letterboxed float batch [B, 3, H, W] (native letterbox, off the JS thread).
 * Static exports get the reference's square letterbox (auto = False), exactly as the golden cases.
 */
import type { DecodedImage } from '../../io/image';
import { type LetterboxGeometry, native } from '../../native';
import type { RawTensor } from '../pipeline';

export interface LetterboxedBatch {
  tensor: RawTensor;
  /** Where each image landed in the input. */
  geometries: LetterboxGeometry[];
}

/**
 * @param slots the batch size of the tensor, at least images.length: a fixed-batch export takes exactly its
 *   batch, so the images are followed by blank (zero) slots whose outputs are dropped.
 */
export async function letterboxBatch(
  images: DecodedImage[],
  size: [number, number],
  stride: number,
  slots = images.length,
): Promise<LetterboxedBatch> {
  const [h, w] = size;
  // One native call: the addon copies the pixels, letterboxes them in parallel off the JS thread into a
  // tensor it allocated (a plain, transferable ArrayBuffer), and never reads memory it does not own.
  const { tensor, geometries } = await native().letterboxBatch(
    images.map((image) => ({ rgb: image.rgb, width: image.width, height: image.height })),
    { newHeight: h, newWidth: w, stride, auto: false, scaleUp: true, slots: Math.max(slots, images.length) },
  );
  return { tensor: { data: tensor, dims: [tensor.length / (3 * h * w), 3, h, w] }, geometries };
}
