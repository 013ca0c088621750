/**
 * Hostile image paths: devices, FIFOs (alone, in a folder, in a list), huge sparse files and links to
 * devices. Each is made here (mkfifo, a sparse file) in a temporary folder and fed to the public API.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { expandSource } from '../../../lib/io/sources';
import { FastSAM } from '../../../lib/pipeline/fastsam';
import { oneBoxModel } from '../../../scripts/fixtures/tiny-models';

const SIZE = 64;

function tinyModel(): Promise<FastSAM> {
  return FastSAM.load(oneBoxModel());
}

async function withModel<T>(fn: (model: FastSAM) => Promise<T>): Promise<T> {
  const model = await tinyModel();
  try {
    return await fn(model);
  } finally {
    await model.dispose();
  }
}

async function inTemp<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fastsam-hostile-'));
  try {
    return await fn(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function writeJpeg(file: string): Promise<void> {
  await sharp({ create: { width: SIZE, height: SIZE, channels: 3, background: { r: 200, g: 90, b: 40 } } })
    .jpeg()
    .toFile(file);
}

const mkfifo = (file: string): void => void execFileSync('mkfifo', [file]);

/** predict('/dev/zero') read until 12 GB RSS. */
export const devZero = (): Promise<number> => withModel(async (model) => (await model.predict('/dev/zero')).length);

/** A link named z.jpg to /dev/zero. */
export const linkToDevZero = (): Promise<number> =>
  inTemp((dir) => {
    fs.symlinkSync('/dev/zero', path.join(dir, 'z.jpg'));
    return withModel(async (model) => (await model.predict(path.join(dir, 'z.jpg'))).length);
  });

/** A FIFO named b.jpg predicted directly: hung forever, pinning a libuv thread. */
export const fifo = (): Promise<number> =>
  inTemp((dir) => {
    mkfifo(path.join(dir, 'b.jpg'));
    return withModel(async (model) => (await model.predict(path.join(dir, 'b.jpg'))).length);
  });

/** A folder with a.jpg and a FIFO b.jpg (what `fastsam predict source=folder` hung on): a.jpg only. */
export const folderWithFifo = (): Promise<{ files: string[]; results: number }> =>
  inTemp(async (dir) => {
    await writeJpeg(path.join(dir, 'a.jpg'));
    mkfifo(path.join(dir, 'b.jpg'));
    fs.symlinkSync('/dev/zero', path.join(dir, 'c.jpg'));
    const files = await expandSource(dir);
    const results = await withModel(async (model) => {
      let n = 0;
      for await (const item of model.stream(files)) if (item.result) n++;
      return n;
    });
    return { files: files.map((f) => path.basename(f)), results };
  });

/** A glob over the same folder. */
export const globWithFifo = (): Promise<string[]> =>
  inTemp(async (dir) => {
    await writeJpeg(path.join(dir, 'a.jpg'));
    mkfifo(path.join(dir, 'b.jpg'));
    return (await expandSource(path.join(dir, '*.jpg'))).map((f) => path.basename(f));
  });

/** A FIFO named as the source itself (source=pipe.jpg). */
export const fifoAsSource = (): Promise<string[]> =>
  inTemp(async (dir) => {
    mkfifo(path.join(dir, 'pipe.jpg'));
    return expandSource(path.join(dir, 'pipe.jpg'));
  });

/** A .txt list naming a FIFO and an image: the FIFO is that item's E_BAD_SOURCE, the image is segmented. */
export const listWithFifo = (): Promise<string[]> =>
  inTemp(async (dir) => {
    await writeJpeg(path.join(dir, 'a.jpg'));
    mkfifo(path.join(dir, 'b.jpg'));
    fs.writeFileSync(path.join(dir, 'list.txt'), 'b.jpg\na.jpg\n');
    const files = await expandSource(path.join(dir, 'list.txt'));
    return withModel(async (model) => {
      const ends: string[] = [];
      for await (const item of model.stream(files)) ends.push(item.error ? item.error.code : `${item.result?.length} found`);
      return ends;
    });
  });

/** A sparse 4 GB file named big.jpg: refused from its size, before reading a byte. */
export const sparseHuge = (maxPixels?: number): Promise<number> =>
  inTemp(async (dir) => {
    const file = path.join(dir, 'big.jpg');
    fs.closeSync(fs.openSync(file, 'w'));
    fs.truncateSync(file, 4 * 1024 ** 3);
    return withModel(async (model) => (await model.predict(file, maxPixels ? { maxPixels } : {})).length);
  });

/** A plain image file still reads. */
export const plainFile = (): Promise<number> =>
  inTemp(async (dir) => {
    await writeJpeg(path.join(dir, 'a.jpg'));
    return withModel(async (model) => (await model.predict(path.join(dir, 'a.jpg')))[0].origShape[0]);
  });
