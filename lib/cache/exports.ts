/**
 * Exported ONNX models cached next to the weights, keyed by content: the checkpoint's SHA-256, the export
 * options and the exporter's format version. Loading FastSAM-s.pt a second time reuses the ONNX file;
 * a changed checkpoint, other options or a newer exporter make a new one. (Engines can use the same key.)
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { EXPORT_FORMAT_VERSION, type ExportOptions, exportOnnxToFile } from '../export';
import { checkExportOptions } from '../export/options';
import { fileSha256 } from './checksum';
import { cacheHome } from './paths';

export interface CachedExportOptions extends ExportOptions {
  /** Cache folder. Default: $FASTSAM_HOME, else ~/.cache/fastsam-node. */
  home?: string;
}

/** A short, file-name-safe description of the requested options. */
export function exportKey(options: ExportOptions): string {
  const { imgsz, dynamic, batch, opset } = options;
  const size = imgsz === undefined ? 'default' : (typeof imgsz === 'number' ? [imgsz, imgsz] : [...imgsz]).join('x');
  return [dynamic ? 'dynamic' : size, `b${batch ?? 1}`, `op${opset ?? 'default'}`, `v${EXPORT_FORMAT_VERSION}`].join('-');
}

/** Where the cached export of `checkpoint` with `options` lives (content-addressed). */
export async function cachedExportPath(checkpoint: string, options: CachedExportOptions = {}): Promise<string> {
  const { home, ...exportOptions } = options;
  const digest = (await fileSha256(checkpoint)).slice(0, 16);
  const stem = path.parse(checkpoint).name;
  return path.join(cacheHome(home), 'exports', `${stem}-${digest}-${exportKey(exportOptions)}.onnx`);
}

/** The ONNX export of a checkpoint file, from the cache or made (atomically) and cached now. */
export async function cachedExport(checkpoint: string, options: CachedExportOptions = {}): Promise<string> {
  const { home: _home, ...exportOptions } = options;
  checkExportOptions(exportOptions);
  const file = await cachedExportPath(checkpoint, options);
  if ((await fs.stat(file).catch(() => undefined))?.isFile()) return file;
  await exportOnnxToFile(checkpoint, { ...exportOptions, output: file });
  return file;
}
