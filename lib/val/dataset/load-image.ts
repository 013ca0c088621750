/**
 * The validator's image loading: decode (sharp, EXIF-rotated, RGB), then load_image's resize of the long
 * side to imgsz (ceil of each side, capped at imgsz) with INTER_AREA when shrinking and INTER_LINEAR when
 * enlarging, exact to OpenCV; plus the header-only size used to plan rectangular batches.
 */
import sharp from 'sharp';
import { FastSAMError, messageOf } from '../../errors';
import { decodeImage } from '../../io/image';
import { resizeArea, resizeLinear } from './opencv-resize';

export interface LoadedImage {
  rgb: Uint8Array;
  /** Size after the resize. */
  width: number;
  height: number;
  origWidth: number;
  origHeight: number;
}

export async function loadImage(file: string, imgsz: number): Promise<LoadedImage> {
  const { rgb, width: w0, height: h0 } = await decodeImage(file);
  const r = imgsz / Math.max(h0, w0);
  if (r === 1) return { rgb, width: w0, height: h0, origWidth: w0, origHeight: h0 };
  const width = Math.min(Math.ceil(w0 * r), imgsz);
  const height = Math.min(Math.ceil(h0 * r), imgsz);
  const src = { data: rgb, width: w0, height: h0, channels: 3 };
  const resized = r > 1 ? resizeLinear(src, width, height) : resizeArea(src, width, height);
  return { rgb: resized.data, width, height, origWidth: w0, origHeight: h0 };
}

/** [height, width] from the header; EXIF orientations 6 and 8 swap them (as exif_size). */
export async function imageShape(file: string): Promise<[number, number]> {
  try {
    const meta = await sharp(file).metadata();
    if (!meta.width || !meta.height) throw new Error('no size in the header');
    const swap = meta.orientation === 6 || meta.orientation === 8;
    return swap ? [meta.width, meta.height] : [meta.height, meta.width];
  } catch (error) {
    throw new FastSAMError('E_IMAGE_DECODE', `cannot read the size of ${file}: ${messageOf(error)}`, { cause: error });
  }
}
