/**
 * The image CLIP sees for each mask.
 * - 'reference' (CASIA `_crop_image` + `_segment_image`): a white canvas the size of the image with the
 *   original pixels pasted inside the mask's tight bounding box (the mask itself is not applied). Here it
 *   is a window on the image (pixels outside read as white), so no canvas is ever built.
 * - 'masked' (current Ultralytics): the detection box (truncated to ints) cut out of the image, black
 *   wherever the mask is 0.
 * Colours are the image's RGB (the reference fed CLIP BGR for path and PIL inputs). Masks not at the
 * image size (retina_masks off) are mapped through the letterbox, never by resizing the image to the
 * mask size as the reference did.
 */
import type { Mask } from '../masks/mask';
import { type MaskFrame, maskToImage } from '../masks/mask-frame';
import { native } from '../native';
import type { RawRgb } from './preprocess';
import type { WindowedImage } from './resample';

/** [x1, y1, x2, y2): integer pixel bounds, end-exclusive. */
export type PixelBox = [number, number, number, number];

/**
 * How a mask becomes a CLIP crop: 'reference' (the FastSAM repository's: the mask's box pasted on a white canvas) or 'masked'
 * (current Ultralytics': the box cut out, black outside the mask).
 */
export type CropMode = 'reference' | 'masked';

const EPS = 1e-6; // float noise in the letterbox mapping must not widen a box by a pixel

const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);
const fround = Math.fround; // hoisted: a global lookup per pixel is slow in sandboxed realms (jest)

/** The reference crop's window in image pixels: the mask's tight box, mapped from mask coordinates. */
export function referenceWindow(mask: Mask, frame: MaskFrame): PixelBox {
  return windowOfBounds(mask.bounds(), frame);
}

/** referenceWindow from a mask's tight bounds [x1, y1, x2, y2) in mask coordinates (null or all 0: empty). */
export function windowOfBounds(bounds: ArrayLike<number> | null, frame: MaskFrame): PixelBox {
  if (!bounds || bounds[2] <= bounds[0]) return [0, 0, 0, 0];
  const [h0, w0] = frame.origShape;
  const [x1, y1] = maskToImage(frame, bounds[0], bounds[1]);
  const [x2, y2] = maskToImage(frame, bounds[2], bounds[3]);
  return [
    clamp(Math.floor(x1 + EPS), 0, w0),
    clamp(Math.floor(y1 + EPS), 0, h0),
    clamp(Math.ceil(x2 - EPS), 0, w0),
    clamp(Math.ceil(y2 - EPS), 0, h0),
  ];
}

/** The reference crop as a window on the image (no copy). */
export function referenceSource(image: RawRgb, window: PixelBox): WindowedImage {
  return { rgb: image.rgb, width: image.width, height: image.height, window };
}

/** The reference crop as pixels: a white image-sized canvas with the window pasted (for inspection and tests). */
export function referenceCrop(image: RawRgb, window: PixelBox): RawRgb {
  const { width, height } = image;
  const rgb = new Uint8Array(width * height * 3).fill(255);
  const [x1, y1, x2, y2] = window;
  for (let y = y1; y < y2; y++) rgb.set(image.rgb.subarray((y * width + x1) * 3, (y * width + x2) * 3), (y * width + x1) * 3);
  return { rgb, width, height };
}

/**
 * The mask over image pixels [x1, x2) x [y1, y2), one byte per pixel: read directly for retina masks,
 * else Ultralytics' scale_masks (drop the letterbox padding, bilinear resize with align_corners=False in
 * float32, keep > 0.5), computed only inside the box.
 */
export function maskInBox(mask: Mask, frame: MaskFrame, box: PixelBox): Uint8Array {
  const [x1, y1, x2, y2] = box;
  const width = x2 - x1;
  const bits = new Uint8Array(width * (y2 - y1));
  const [mh, mw] = frame.shape;
  const [h0, w0] = frame.origShape;
  if (mh === h0 && mw === w0) {
    // The overlap of the box and the mask's window, row by row; the rest stays 0.
    const ox1 = Math.max(x1, mask.x);
    const ox2 = Math.min(x2, mask.x + mask.width);
    for (let y = Math.max(y1, mask.y); y < Math.min(y2, mask.y + mask.height) && ox1 < ox2; y++) {
      const src = (y - mask.y) * mask.width;
      bits.set(mask.data.subarray(src + ox1 - mask.x, src + ox2 - mask.x), (y - y1) * width + ox1 - x1);
    }
    return bits;
  }
  // scale_masks' crop of the padding is exactly the letterbox's (top, left, unpadded size): ask the core.
  const g = native().letterboxGeometry({ height: h0, width: w0, newHeight: mh, newWidth: mw, stride: 32, auto: false, scaleUp: true });
  const { top, left } = g;
  const xs = linearTaps(g.unpadWidth, w0, x1, x2);
  const ys = linearTaps(g.unpadHeight, h0, y1, y2);
  for (let j = 0; j < y2 - y1; j++) {
    const ya = top + ys.i0[j];
    const yb = top + ys.i1[j];
    for (let i = 0; i < width; i++) {
      const xa = left + xs.i0[i];
      const xb = left + xs.i1[i];
      const upper = fround(xs.w0[i] * mask.at(xa, ya) + xs.w1[i] * mask.at(xb, ya));
      const lower = fround(xs.w0[i] * mask.at(xa, yb) + xs.w1[i] * mask.at(xb, yb));
      bits[j * width + i] = fround(ys.w0[j] * upper + ys.w1[j] * lower) > 0.5 ? 1 : 0;
    }
  }
  return bits;
}

/** PyTorch's bilinear taps (align_corners=False) for output positions [from, to) of an in -> out resize. */
function linearTaps(inSize: number, outSize: number, from: number, to: number) {
  const scale = Math.fround(inSize / outSize);
  const n = to - from;
  const taps = { i0: new Int32Array(n), i1: new Int32Array(n), w0: new Float32Array(n), w1: new Float32Array(n) };
  for (let k = 0; k < n; k++) {
    const src = Math.max(Math.fround(Math.fround(scale * (from + k + 0.5)) - 0.5), 0);
    const i0 = Math.min(Math.trunc(src), inSize - 1);
    const w1 = clamp(Math.fround(src - i0), 0, 1);
    taps.i0[k] = i0;
    taps.i1[k] = i0 < inSize - 1 ? i0 + 1 : i0;
    taps.w0[k] = Math.fround(1 - w1);
    taps.w1[k] = w1;
  }
  return taps;
}

/** The detection box as int pixel bounds (Python int(): truncation), at least one pixel wide and high. */
export function maskedBox(box: ArrayLike<number>, frame: MaskFrame): PixelBox {
  const [h0, w0] = frame.origShape;
  const x1 = clamp(Math.trunc(box[0]), 0, w0 - 1);
  const y1 = clamp(Math.trunc(box[1]), 0, h0 - 1);
  return [x1, y1, clamp(Math.trunc(box[2]), x1 + 1, w0), clamp(Math.trunc(box[3]), y1 + 1, h0)];
}

/** The 'masked' crop: image[y1:y2, x1:x2] (the detection box) with pixels outside the mask set to black. */
export function maskedCrop(image: RawRgb, mask: Mask, box: ArrayLike<number>, frame: MaskFrame): RawRgb {
  const pixelBox = maskedBox(box, frame);
  const [x1, y1, x2, y2] = pixelBox;
  const bits = maskInBox(mask, frame, pixelBox);
  const width = x2 - x1;
  const height = y2 - y1;
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (!bits[y * width + x]) continue;
      const src = ((y1 + y) * image.width + x1 + x) * 3;
      const dst = (y * width + x) * 3;
      rgb[dst] = image.rgb[src];
      rgb[dst + 1] = image.rgb[src + 1];
      rgb[dst + 2] = image.rgb[src + 2];
    }
  }
  return { rgb, width, height };
}
