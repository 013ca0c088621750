/**
 * Which uploads are images the server will decode: raster formats recognised by their first bytes
 * (JPEG, PNG, WebP, GIF, TIFF, AVIF/HEIF). Vector and document formats that the decoder could also open
 * (SVG, PDF) are refused before decoding: they can reference other files or URLs, and a server never
 * fetches what a client names. The declared Content-Type is not trusted; the bytes decide.
 */
import { FastSAMError } from '../errors';

export type ImageFormat = 'jpeg' | 'png' | 'webp' | 'gif' | 'tiff' | 'avif';

const startsWith = (bytes: Uint8Array, signature: number[], at = 0) => signature.every((b, i) => bytes[at + i] === b);
const ascii = (text: string) => Array.from(text, (c) => c.charCodeAt(0));

export function sniffImageFormat(bytes: Uint8Array): ImageFormat | undefined {
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (startsWith(bytes, ascii('RIFF')) && startsWith(bytes, ascii('WEBP'), 8)) return 'webp';
  if (startsWith(bytes, ascii('GIF87a')) || startsWith(bytes, ascii('GIF89a'))) return 'gif';
  if (startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a])) return 'tiff';
  if (startsWith(bytes, ascii('ftyp'), 4) && ['avif', 'avis', 'heic', 'heix', 'mif1'].some((b) => startsWith(bytes, ascii(b), 8))) {
    return 'avif';
  }
  return undefined;
}

/** The upload as an image to decode, or E_IMAGE_DECODE saying what is accepted. */
export function checkImageBytes<T extends Uint8Array>(bytes: T): T {
  if (bytes.length === 0) throw new FastSAMError('E_IMAGE_DECODE', 'the image is empty');
  if (!sniffImageFormat(bytes)) {
    throw new FastSAMError('E_IMAGE_DECODE', 'the upload is not a JPEG, PNG, WebP, GIF, TIFF or AVIF image');
  }
  return bytes;
}
