/**
 * Pillow's bicubic resize of 8-bit RGB, bit for bit (Image.resize(size, BICUBIC), which CLIP's preprocess
 * calls), done natively off the JS thread (native/core/bicubic.cc: Pillow's Resample.c re-derived; sharp's
 * libvips 'cubic' differs from Pillow's pixels, by up to 9 levels on 17 % of bus.jpg's values at 224).
 *
 * The source is an image seen through a window: pixels outside `window` read as white (255). That is the
 * reference's crop (the mask's box pasted on a white canvas of the whole image) without building the
 * canvas. A ResizedImage keeps one image natively (copied once) with its plan, and with `reuse` the image's
 * own resize too, so each further window costs only the band where kernels cross its edges.
 */
import { native, type ResizeGeometry } from '../native';

/** [x0, y0, x1, y1): the image's own pixels; everything outside reads as white. */
export type PixelWindow = [number, number, number, number];

/** An RGB image whose pixels outside `window` read as white. */
export interface WindowedImage {
  rgb: Uint8Array;
  width: number;
  height: number;
  window: PixelWindow;
}

export type { ResizeGeometry };

/** One image held natively for windowed resizes to one geometry. */
export class ResizedImage {
  private constructor(
    private readonly handle: unknown,
    readonly geometry: ResizeGeometry,
  ) {}

  /** Copies the pixels once and builds the plan (off the JS thread). */
  static async create(image: { rgb: Uint8Array; width: number; height: number }, geometry: ResizeGeometry): Promise<ResizedImage> {
    const handle = await native().clipImage(image.rgb, { width: image.width, height: image.height, ...geometry });
    return new ResizedImage(handle, geometry);
  }

  /** The crop of each window, cropHeight x cropWidth x 3 bytes after one another. */
  pixels(windows: PixelWindow[], reuse = false): Promise<Uint8Array> {
    return native().clipPreprocess(this.handle, Int32Array.from(windows.flat()), { reuse });
  }

  /** The crop of each window normalised through `tables` (3 x 256 floats): n x 3 x cropHeight x cropWidth, planar. */
  normalised(windows: PixelWindow[], tables: Float32Array, reuse = false): Promise<Float32Array> {
    return native().clipPreprocess(this.handle, Int32Array.from(windows.flat()), { reuse }, tables);
  }
}

/** Pillow's resize of a whole RGB image: for tests and plain images. */
export async function resizeBicubic(
  rgb: Uint8Array,
  width: number,
  height: number,
  outWidth: number,
  outHeight: number,
): Promise<Uint8Array> {
  const geometry = { resizedWidth: outWidth, resizedHeight: outHeight, left: 0, top: 0, cropWidth: outWidth, cropHeight: outHeight };
  const image = await ResizedImage.create({ rgb, width, height }, geometry);
  return image.pixels([[0, 0, width, height]]);
}
