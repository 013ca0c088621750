/**
 * `source=` for the CLI when video is involved: a video or stream, or a folder, glob or .txt list in
 * which videos and images mix (each file classified by extension, a table per kind). A source with no
 * video in it is left to the image path (null).
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { globSync } from 'tinyglobby';
import { FastSAMError } from '../errors';
import { IMAGE_EXTENSIONS } from '../io/sources';
import { hasVideoExtension, isLiveSource, isVideoSource } from './source-kind';

export interface SourceEntry {
  source: string;
  kind: 'video' | 'image';
}

function classify(file: string): SourceEntry | undefined {
  if (hasVideoExtension(file) || isLiveSource(file)) return { source: file, kind: 'video' };
  if (IMAGE_EXTENSIONS.has(path.extname(file).toLowerCase())) return { source: file, kind: 'image' };
  return undefined;
}

const withVideo = (entries: SourceEntry[]): SourceEntry[] | null => (entries.some((e) => e.kind === 'video') ? entries : null);

export async function expandVideoSources(source: string): Promise<SourceEntry[] | null> {
  if (isVideoSource(source)) return [{ source, kind: 'video' }];
  if (/[*?[\]{}]/.test(source)) {
    const files = globSync([source], { absolute: path.isAbsolute(source), onlyFiles: true }).sort();
    return withVideo(files.flatMap((f) => classify(f) ?? []));
  }
  const stat = await fs.stat(source).catch(() => null);
  if (stat?.isDirectory()) {
    const files = (await fs.readdir(source)).sort().map((f) => path.join(source, f));
    return withVideo(files.flatMap((f) => classify(f) ?? []));
  }
  if (stat?.isFile() && path.extname(source).toLowerCase() === '.txt') {
    const base = path.dirname(source);
    const lines = (await fs.readFile(source, 'utf8'))
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    const entries = lines.map((l): SourceEntry => {
      const file = path.isAbsolute(l) || /^[a-z][a-z0-9+.-]*:\/\//i.test(l) ? l : path.join(base, l);
      return classify(file) ?? { source: file, kind: 'image' }; // unknown extensions are tried as images
    });
    if (entries.length === 0) throw new FastSAMError('E_FILE_NOT_FOUND', `no sources listed in ${source}`);
    return withVideo(entries);
  }
  return null;
}
