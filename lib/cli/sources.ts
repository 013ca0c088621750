/** `source=` to a list of images: a file, a folder, a glob, or a .txt list of paths (one per line). */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { globSync } from 'tinyglobby';
import { FastSAMError } from '../errors';

export const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.webp', '.tif', '.tiff', '.bmp', '.gif', '.avif', '.heic']);

const isImage = (file: string) => IMAGE_EXTENSIONS.has(path.extname(file).toLowerCase());

export async function expandSource(source: string): Promise<string[]> {
  if (/[*?[\]{}]/.test(source)) {
    const files = globSync([source], { absolute: false, onlyFiles: true }).filter(isImage).sort();
    if (files.length === 0) throw new FastSAMError('E_FILE_NOT_FOUND', `no images match ${source}`);
    return files;
  }
  const stat = await fs.stat(source).catch(() => null);
  if (!stat) throw new FastSAMError('E_FILE_NOT_FOUND', `source not found: ${source}`);
  if (stat.isDirectory()) {
    const files = (await fs.readdir(source))
      .filter(isImage)
      .sort()
      .map((f) => path.join(source, f));
    if (files.length === 0) throw new FastSAMError('E_FILE_NOT_FOUND', `no images in folder ${source}`);
    return files;
  }
  if (path.extname(source).toLowerCase() === '.txt') {
    const base = path.dirname(source);
    const lines = (await fs.readFile(source, 'utf8'))
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    return lines.map((l) => (path.isAbsolute(l) ? l : path.join(base, l)));
  }
  return [source];
}
