/**
 * `source=` for the CLI when video is involved: a video or stream, or a folder, glob or .txt list in
 * which videos and images mix. Expansion is lib/io/sources.ts's (regular files only: a FIFO named
 * like a video would block ffmpeg forever), with its video row; a source with no video in it is left
 * to the image path (null).
 */
import { expandSource } from '../io/sources';
import { hasVideoExtension, isLiveSource, isVideoSource } from './source-kind';

export interface SourceEntry {
  source: string;
  kind: 'video' | 'image';
}

/** Unknown extensions (in a list) are tried as images, as the image path does. */
function classify(file: string): SourceEntry {
  if (hasVideoExtension(file) || isLiveSource(file)) return { source: file, kind: 'video' };
  return { source: file, kind: 'image' };
}

export async function expandVideoSources(source: string): Promise<SourceEntry[] | null> {
  if (isVideoSource(source)) return [{ source, kind: 'video' }];
  const files = await expandSource(source, { kinds: ['image', 'video'] }).catch(() => null);
  if (!files) return null; // the image path reports what is wrong with the source
  const entries = files.map(classify);
  return entries.some((e) => e.kind === 'video') ? entries : null;
}
