/**
 * CLIP's image preprocessing, as OpenAI's `preprocess` (torchvision on a PIL image): resize the shorter
 * side to 224 with Pillow's bicubic filter (the longer side to int(224 * long / short)), centre-crop
 * 224 x 224 (offsets int(round((side - 224) / 2)), Python rounding), scale to [0, 1], and normalise with
 * CLIP's mean and std, all in float32, as [n, 3, 224, 224] planar tensors. The pixel work is native.
 */
import { roundHalfEven } from '../round';
import { type PixelWindow, ResizedImage, type WindowedImage } from './resample';

export const CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073] as const;
export const CLIP_STD = [0.26862954, 0.26130258, 0.27577711] as const;
export const CLIP_IMAGE_SIZE = 224;

/**
 * Raw 8-bit RGB pixels, row-major.
 * @inline
 */
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

/**
 * byte -> normalised float32 per channel: ((v / 255) - mean) / std, each step rounded to float32 as torch
 * does; 3 x 256 values, the native preprocessing looks each byte up.
 */
export const NORMALISE_TABLES: Float32Array = (() => {
  const tables = new Float32Array(3 * 256);
  for (let c = 0; c < 3; c++) {
    for (let v = 0; v < 256; v++) {
      const unit = Math.fround(v / 255);
      tables[c * 256 + v] = Math.fround(Math.fround(unit - Math.fround(CLIP_MEAN[c])) / Math.fround(CLIP_STD[c]));
    }
  }
  return tables;
})();

/**
 * Preprocesses images natively (off the JS thread). Each image is copied to native memory once and kept
 * with its resize plan while this preprocessor holds its pixels (a WeakMap on the pixel array).
 */
export class ClipPreprocessor {
  private readonly images = new WeakMap<Uint8Array, Promise<ResizedImage>>();

  constructor(readonly size = CLIP_IMAGE_SIZE) {}

  private image(image: RawRgb): Promise<ResizedImage> {
    let held = this.images.get(image.rgb);
    if (!held) {
      const g = clipGeometry(image.width, image.height, this.size);
      held = ResizedImage.create(image, { ...g, cropWidth: g.size, cropHeight: g.size });
      this.images.set(image.rgb, held);
    }
    return held;
  }

  /**
   * One crop per window on `image` (pixels outside a window are white), CLIP-normalised: n x 3 x size x
   * size planar floats. With `sameImage`, the image's own resize is kept between calls: for many windows
   * on one image.
   */
  async run(image: RawRgb, windows: PixelWindow[], sameImage = false): Promise<Float32Array> {
    return (await this.image(image)).normalised(windows, NORMALISE_TABLES, sameImage);
  }

  /** The 8-bit centre crop after resizing (what CLIP sees before normalisation): for tests and plots. */
  async pixelsOf(image: RawRgb | WindowedImage, sameImage = false): Promise<Uint8Array> {
    const window: PixelWindow = 'window' in image ? image.window : [0, 0, image.width, image.height];
    return (await this.image(image)).pixels([window], sameImage);
  }
}
