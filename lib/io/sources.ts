/**
 * A `source=` string to the files it names: a file, a folder, a glob, or a .txt list of paths (one per
 * line). Only regular files are taken: a FIFO, socket or device named like an image in a folder or a glob
 * is skipped (reading one would block a thread forever), and one named directly is refused.
 *
 * Which files count is a table of extensions per kind of source; a new kind (video) is a new row.
 */
import { promises as fs, type Stats } from 'node:fs';
import * as path from 'node:path';
import { globSync } from 'tinyglobby';
import { FastSAMError } from '../errors';
import { invalid } from '../options/check';
import { fileKind } from './image-file';

export const SOURCE_EXTENSIONS = {
  image: ['.jpg', '.jpeg', '.png', '.webp', '.tif', '.tiff', '.bmp', '.gif', '.avif', '.heic'],
  // Ultralytics' VID_FORMATS plus a few containers ffmpeg reads as well (.gif stays an image).
  video: ['.mp4', '.m4v', '.mov', '.mkv', '.webm', '.avi', '.wmv', '.asf', '.mpeg', '.mpg', '.ts', '.mts', '.m2ts', '.flv', '.3gp', '.ogv'],
} as const satisfies Record<string, readonly string[]>;

export type SourceKind = keyof typeof SOURCE_EXTENSIONS;

export const IMAGE_EXTENSIONS: ReadonlySet<string> = new Set(SOURCE_EXTENSIONS.image);
export const VIDEO_EXTENSIONS: ReadonlySet<string> = new Set(SOURCE_EXTENSIONS.video);

// A list file names paths, a line each: 16 MB is ~200,000 long paths.
const MAX_LIST_BYTES = 16 * 1024 * 1024;

/** The kind of source a file name is, by extension; undefined when none of `kinds` takes it. */
export function kindOf(file: string, kinds: readonly SourceKind[] = ['image']): SourceKind | undefined {
  const extension = path.extname(file).toLowerCase();
  return kinds.find((kind) => (SOURCE_EXTENSIONS[kind] as readonly string[]).includes(extension));
}

export interface ExpandOptions {
  /** Which kinds of files a folder or glob yields. Default: images. */
  kinds?: readonly SourceKind[];
}

const statOf = (file: string): Promise<Stats | null> => fs.stat(file).catch(() => null);

/** The regular files among `files` (symbolic links followed), in order. */
async function regularFiles(files: string[]): Promise<string[]> {
  const stats = await Promise.all(files.map(statOf));
  return files.filter((_, i) => stats[i]?.isFile() ?? false);
}

async function readList(source: string): Promise<string> {
  const stat = await statOf(source);
  if (stat && stat.size > MAX_LIST_BYTES)
    invalid(`the list file ${source}`, `at most ${MAX_LIST_BYTES} bytes`, `${stat.size} bytes`, 'E_BAD_SOURCE');
  return fs.readFile(source, 'utf8');
}

export async function expandSource(source: string, options: ExpandOptions = {}): Promise<string[]> {
  const kinds = options.kinds ?? ['image'];
  const wanted = (file: string): boolean => kindOf(file, kinds) !== undefined;
  if (/[*?[\]{}]/.test(source)) {
    const files = await regularFiles(
      globSync([source], { absolute: path.isAbsolute(source), onlyFiles: true })
        .filter(wanted)
        .sort(),
    );
    if (files.length === 0) throw new FastSAMError('E_FILE_NOT_FOUND', `no ${kinds.join(' or ')} files match ${source}`);
    return files;
  }
  const stat = await statOf(source);
  if (!stat) throw new FastSAMError('E_FILE_NOT_FOUND', `source not found: ${source}`);
  if (stat.isDirectory()) {
    const names = (await fs.readdir(source)).filter(wanted).sort();
    const files = await regularFiles(names.map((f) => path.join(source, f)));
    if (files.length === 0) throw new FastSAMError('E_FILE_NOT_FOUND', `no ${kinds.join(' or ')} files in folder ${source}`);
    return files;
  }
  if (!stat.isFile()) invalid(`source ${source}`, 'a file, a folder, a glob or a .txt list', fileKind(stat), 'E_BAD_SOURCE');
  if (path.extname(source).toLowerCase() === '.txt') {
    const base = path.dirname(source);
    const lines = (await readList(source))
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    // Paths are relative to the list; URLs (streams) are kept as they are.
    return lines.map((l) => (path.isAbsolute(l) || /^[a-z][a-z0-9+.-]*:\/\//i.test(l) ? l : path.join(base, l)));
  }
  return [source];
}
