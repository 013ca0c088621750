/**
 * Reads an image file by path, safely: stat first, only regular files (a FIFO named b.jpg would block a
 * libuv thread forever, /dev/zero would be read until memory runs out), and never more bytes than an
 * image within the pixel limit can take.
 */
import { constants, promises as fs, type Stats } from 'node:fs';
import { FastSAMError, messageOf } from '../errors';
import { invalid } from '../options/check';

// The largest uncompressed layout a decoder takes (32-bit float RGBA TIFF: 16 bytes a pixel), plus room
// for what files carry besides pixels (EXIF, ICC profiles, XMP, embedded previews).
const BYTES_PER_PIXEL = 16;
const METADATA_BYTES = 16 * 1024 * 1024;
// Node reads at most this much into one Buffer anyway (fs.readFile's own limit).
const MAX_READ = 2 ** 31 - 1;

/** The most bytes an encoded image within `maxPixels` may take on disk. */
export function imageByteBudget(maxPixels: number): number {
  return Math.min(MAX_READ, maxPixels * BYTES_PER_PIXEL + METADATA_BYTES);
}

/** What a non-regular file is, for the message. */
export function fileKind(stat: Stats): string {
  if (stat.isDirectory()) return 'a directory';
  if (stat.isFIFO()) return 'a FIFO (named pipe)';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isSocket()) return 'a socket';
  return 'not a regular file';
}

function notFound(file: string, error: unknown): FastSAMError {
  return new FastSAMError('E_FILE_NOT_FOUND', `image file not found: ${file}`, { cause: error });
}

/**
 * The bytes of the image file `file`: E_FILE_NOT_FOUND when absent (or a directory), E_BAD_SOURCE when it
 * is not a regular file, E_IMAGE_TOO_LARGE past `maxBytes`, E_IMAGE_DECODE when it cannot be read.
 */
export async function readImageFile(file: string, maxBytes: number): Promise<Buffer> {
  let stat: Stats;
  try {
    stat = await fs.stat(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw notFound(file, error);
    throw new FastSAMError('E_IMAGE_DECODE', `cannot read image file ${file}: ${messageOf(error)}`, { cause: error });
  }
  if (stat.isDirectory()) throw notFound(file, undefined);
  if (!stat.isFile()) invalid(`image path ${file}`, 'a regular file', fileKind(stat), 'E_BAD_SOURCE');
  if (stat.size > maxBytes) throw tooLarge(file, stat.size, maxBytes);
  let handle: fs.FileHandle | undefined;
  try {
    // O_NONBLOCK: should the path have become a FIFO since the stat, opening it does not wait for a writer.
    handle = await fs.open(file, constants.O_RDONLY | constants.O_NONBLOCK);
    const opened = await handle.stat();
    if (!opened.isFile()) invalid(`image path ${file}`, 'a regular file', fileKind(opened), 'E_BAD_SOURCE');
    // Read at most maxBytes + 1: a file that grew past the budget since the stat is refused, not read to the end.
    const buffer = Buffer.allocUnsafe(Math.min(opened.size, maxBytes) + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length === buffer.length) {
        // The spare byte filled: the file grew since its stat.
        if (length > maxBytes) throw tooLarge(file, length, maxBytes);
        throw new FastSAMError('E_IMAGE_DECODE', `image file ${file} changed while it was read`);
      }
    }
    return buffer.subarray(0, length);
  } catch (error) {
    if (error instanceof FastSAMError) throw error;
    throw new FastSAMError('E_IMAGE_DECODE', `cannot read image file ${file}: ${messageOf(error)}`, { cause: error });
  } finally {
    await handle?.close();
  }
}

function tooLarge(file: string, size: number, maxBytes: number): FastSAMError {
  return new FastSAMError(
    'E_IMAGE_TOO_LARGE',
    `image file ${file} is ${size} bytes or more, over the ${maxBytes} an image within the pixel limit can take (raise maxPixels if you trust it)`,
  );
}
