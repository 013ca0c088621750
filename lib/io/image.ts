/**
 * Image sources to 8-bit RGB pixels, decoded by sharp: EXIF orientation applied, alpha dropped (as
 * cv2.imread(IMREAD_COLOR) does), grayscale/16-bit/CMYK converted to sRGB. Oversized images are refused
 * from their header, before any pixel is decoded.
 */
import sharp from 'sharp';
import { FastSAMError, messageOf } from '../errors';
import { checkInteger, invalid, is } from '../options/check';
import { DEFAULT_MAX_PIXELS } from '../options/limits';
import { imageByteBudget, readImageFile } from './image-file';

export { DEFAULT_MAX_PIXELS };

/** Raw interleaved pixels: 1 (gray), 3 (RGB) or 4 (RGBA) channels, row-major. */
export interface RawImage {
  /** width × height × channels bytes, row-major, channels interleaved. */
  data: Uint8Array;
  /** Pixels. */
  width: number;
  /** Pixels. */
  height: number;
  /** Bytes per pixel: 1 (gray), 3 (RGB) or 4 (RGBA; alpha is dropped). */
  channels: 1 | 3 | 4;
}

/** A file path, an encoded image (JPEG, PNG, WebP, TIFF, ...), or raw pixels. */
export type ImageSource = string | Buffer | Uint8Array | RawImage;

/** An image as 8-bit RGB, the form every backend takes. */
export interface DecodedImage {
  /** width × height × 3 bytes, row-major, RGB. */
  rgb: Uint8Array;
  /** Pixels. */
  width: number;
  /** Pixels. */
  height: number;
  /** The file path when the source was one. */
  path?: string;
}

/**
 * Options of decodeImage.
 * @inline
 */
export interface DecodeOptions {
  /** Refuse images with more pixels than this (decompression bombs). Default 268,402,689 (16383²). */
  maxPixels?: number;
}

function isRawImage(source: unknown): source is RawImage {
  return typeof source === 'object' && source !== null && !(source instanceof Uint8Array) && 'data' in source;
}

function checkPixelLimit(width: number, height: number, maxPixels: number, what: string): void {
  if (width * height > maxPixels) {
    throw new FastSAMError(
      'E_IMAGE_TOO_LARGE',
      `${what} is ${width}x${height} = ${width * height} pixels, over the limit of ${maxPixels} ` +
        '(raise the maxPixels option if you trust it)',
    );
  }
}

function validateRaw(raw: RawImage, maxPixels: number): void {
  const { data, width, height, channels } = raw;
  if (!(data instanceof Uint8Array)) invalid('raw image data', 'a Uint8Array', data, 'E_BAD_SOURCE');
  checkInteger('raw image width', width, 1, Number.MAX_SAFE_INTEGER, 'E_BAD_SOURCE');
  checkInteger('raw image height', height, 1, Number.MAX_SAFE_INTEGER, 'E_BAD_SOURCE');
  if (!is.oneOf(channels, [1, 3, 4])) invalid('raw image channels', '1, 3 or 4', channels, 'E_BAD_SOURCE');
  checkPixelLimit(width, height, maxPixels, 'raw image');
  if (data.length !== width * height * channels) {
    invalid('raw image data', `width*height*channels = ${width * height * channels} bytes`, data, 'E_BAD_SOURCE');
  }
}

async function decodeRaw(raw: RawImage, maxPixels: number): Promise<DecodedImage> {
  validateRaw(raw, maxPixels);
  if (raw.channels === 3) return { rgb: raw.data, width: raw.width, height: raw.height };
  const { data } = await sharp(raw.data, {
    raw: { width: raw.width, height: raw.height, channels: raw.channels },
    limitInputPixels: maxPixels,
  })
    .toColourspace('srgb')
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { rgb: data, width: raw.width, height: raw.height };
}

async function decodeEncoded(bytes: Uint8Array, maxPixels: number, label: string): Promise<DecodedImage> {
  if (bytes.length === 0) throw new FastSAMError('E_IMAGE_DECODE', `${label} is empty (0 bytes)`);
  try {
    const image = sharp(bytes, { limitInputPixels: false, failOn: 'error' });
    const meta = await image.metadata(); // header only: the pixel limit is checked before decoding
    if (!meta.width || !meta.height) throw new Error('no image dimensions in the header');
    checkPixelLimit(meta.width, meta.height, maxPixels, label);
    const { data, info } = await image
      .rotate() // EXIF orientation
      .toColourspace('srgb')
      .removeAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels, expected 3`);
    return { rgb: data, width: info.width, height: info.height };
  } catch (error) {
    if (error instanceof FastSAMError) throw error;
    throw new FastSAMError('E_IMAGE_DECODE', `${label} is not a decodable image: ${messageOf(error)}`, {
      cause: error,
    });
  }
}

/** Decodes one source to RGB. */
export async function decodeImage(source: ImageSource, options: DecodeOptions = {}): Promise<DecodedImage> {
  const maxPixels = checkInteger('maxPixels', options.maxPixels ?? DEFAULT_MAX_PIXELS, 1, Number.MAX_SAFE_INTEGER);
  if (typeof source === 'string') {
    const decoded = await decodeEncoded(await readImageFile(source, imageByteBudget(maxPixels)), maxPixels, `image ${source}`);
    return { ...decoded, path: source };
  }
  if (source instanceof Uint8Array) return decodeEncoded(source, maxPixels, 'image buffer');
  if (isRawImage(source)) return decodeRaw(source, maxPixels);
  return invalid(
    'an image source',
    'a file path, an encoded image Buffer, or raw pixels { data, width, height, channels }',
    source,
    'E_BAD_SOURCE',
  );
}
