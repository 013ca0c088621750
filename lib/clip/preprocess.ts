/**
 * CLIP's image preprocessing, as OpenAI's `preprocess` (torchvision on a PIL image): resize the shorter
 * side to 224 with Pillow's bicubic filter (the longer side to int(224 * long / short)), centre-crop
 * 224 x 224 (offsets int(round((side - 224) / 2)), Python rounding), scale to [0, 1], and normalise with
 * CLIP's mean and std, all in float32, into a [3, 224, 224] planar slot of a batch tensor.
 */
import { roundHalfEven } from '../masks/mask-frame';
import { ResizePlan, type WindowedImage } from './resample';

export const CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073] as const;
export const CLIP_STD = [0.26862954, 0.26130258, 0.27577711] as const;
export const CLIP_IMAGE_SIZE = 224;

/** Raw 8-bit RGB pixels, row-major. */
export interface RawRgb {
  rgb: Uint8Array;
  width: number;
  height: number;
}

export interface ClipGeometry {
  resizedWidth: number;
  resizedHeight: number;
  left: number;
  top: number;
  size: number;
}

/** torchvision's Resize(size) (shorter side) then CenterCrop(size) geometry. */
export function clipGeometry(width: number, height: number, size = CLIP_IMAGE_SIZE): ClipGeometry {
  const [short, long] = width <= height ? [width, height] : [height, width];
  const newLong = Math.floor((size * long) / short);
  const [resizedWidth, resizedHeight] = width <= height ? [size, newLong] : [newLong, size];
  return {
    resizedWidth,
    resizedHeight,
    left: roundHalfEven((resizedWidth - size) / 2),
    top: roundHalfEven((resizedHeight - size) / 2),
    size,
  };
}

/** byte -> normalised float32 per channel: ((v / 255) - mean) / std, each step rounded to float32 as torch does. */
const NORMALISE: readonly Float32Array[] = [0, 1, 2].map((c) =>
  Float32Array.from({ length: 256 }, (_, v) => {
    const unit = Math.fround(v / 255);
    return Math.fround(Math.fround(unit - Math.fround(CLIP_MEAN[c])) / Math.fround(CLIP_STD[c]));
  }),
);

/** Interleaved size x size RGB bytes -> planar normalised floats at target[offset ...]. */
export function normaliseInto(pixels: Uint8Array, size: number, target: Float32Array, offset: number): void {
  const plane = size * size;
  const [r, g, b] = NORMALISE;
  for (let i = 0, p = 0; i < plane; i++, p += 3) {
    target[offset + i] = r[pixels[p]];
    target[offset + plane + i] = g[pixels[p + 1]];
    target[offset + 2 * plane + i] = b[pixels[p + 2]];
  }
}

/** Preprocesses images into batch slots, keeping resize plans (coefficients, white canvas) per source size. */
export class ClipPreprocessor {
  private readonly plans = new Map<string, ResizePlan>();
  private readonly pixels: Uint8Array;

  constructor(readonly size = CLIP_IMAGE_SIZE) {
    this.pixels = new Uint8Array(size * size * 3);
  }

  plan(width: number, height: number): ResizePlan {
    const key = `${width}x${height}`;
    let plan = this.plans.get(key);
    if (!plan) {
      const g = clipGeometry(width, height, this.size);
      plan = new ResizePlan(width, height, g.resizedWidth, g.resizedHeight, { x: g.left, y: g.top, width: this.size, height: this.size });
      if (this.plans.size >= 64) this.plans.clear(); // crops of many sizes (masked crops): keep memory bounded
      this.plans.set(key, plan);
    }
    return plan;
  }

  /**
   * One image (pixels outside `window` are white) into target[offset, offset + 3 * size * size). With
   * `sameImage`, the image's resize is kept between calls: for many windows on one image.
   */
  run(image: WindowedImage, target: Float32Array, offset: number, sameImage = false): void {
    this.plan(image.width, image.height).resize(image, this.pixels, sameImage);
    normaliseInto(this.pixels, this.size, target, offset);
  }

  /** The 8-bit centre crop after resizing (what CLIP sees before normalisation): for tests and plots. */
  pixelsOf(image: RawRgb | WindowedImage): Uint8Array {
    const windowed =
      'window' in image ? image : { ...image, window: [0, 0, image.width, image.height] as [number, number, number, number] };
    return this.plan(image.width, image.height).resize(windowed);
  }
}
