/**
 * Hostile image paths end typed, in bounded time and memory, and the process exits on its own: devices
 * and FIFOs are refused (or skipped in folders and globs) without a read, and files larger than any image
 * within the pixel limit are refused from their size.
 */
import { expectAnswer, expectTypedEnd, runCase } from './harness';

describe('hostile image paths', () => {
  test.each([
    ["predict('/dev/zero')", 'devZero', [], 'E_BAD_SOURCE', /must be a regular file, got "a character device"/],
    ['a link z.jpg to /dev/zero', 'linkToDevZero', [], 'E_BAD_SOURCE', /a character device/],
    ['a FIFO named b.jpg', 'fifo', [], 'E_BAD_SOURCE', /a FIFO/],
    ['a FIFO named as the source', 'fifoAsSource', [], 'E_BAD_SOURCE', /a FIFO/],
    ['a sparse 4 GB file', 'sparseHuge', [], 'E_IMAGE_TOO_LARGE', /4294967296 bytes or more/],
    ['a sparse 4 GB file, maxPixels 1e6', 'sparseHuge', [1_000_000], 'E_IMAGE_TOO_LARGE', /over the 32777216/],
  ])('%s', async (_, name, args, code, message) => {
    expectTypedEnd(await runCase('images', name, args), code, message);
  });

  test('a folder with a FIFO and a device link among images yields the images only', async () => {
    expect(expectAnswer(await runCase('images', 'folderWithFifo'))).toEqual({ files: ['a.jpg'], results: 1 });
  });

  test('a glob skips the FIFO too', async () => {
    expect(expectAnswer(await runCase('images', 'globWithFifo'))).toEqual(['a.jpg']);
  });

  test('a list naming a FIFO: that item fails typed, the rest is segmented', async () => {
    expect(expectAnswer(await runCase('images', 'listWithFifo'))).toEqual(['E_BAD_SOURCE', '1 found']);
  });

  test('a plain file still reads', async () => {
    expect(expectAnswer(await runCase('images', 'plainFile'))).toBe(64);
  });
});
