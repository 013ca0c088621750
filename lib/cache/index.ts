/**
 * Models by name: the cache ($FASTSAM_HOME or ~/.cache/fastsam-node), verified resumable downloads of the
 * official weights, and content-keyed caching of their ONNX exports.
 *   const pt = await resolveModel('FastSAM-s.pt');          // local path, downloading if needed
 *   const onnx = await resolveOnnx('FastSAM-s.pt', { imgsz: 1024 }); // cached ONNX export of it
 */
import type { ExportOptions } from '../export';
import { cachedExport } from './exports';
import { resolveModel, type ResolveOptions } from './resolve';

export { resolveModel, type ResolveOptions } from './resolve';
export { cachedExport, cachedExportPath, type CachedExportOptions, exportKey } from './exports';
export { download, DownloadFailure, type DownloadOptions, type DownloadProgress, type Downloaded } from './download';
export { DEFAULT_DOWNLOAD_BASE, KNOWN_MODELS, type KnownModel } from './known-models';
export { cacheHome } from './paths';
export { fileSha256 } from './checksum';
export { formatProgress, progressBar } from './progress';

/** A model name or path as an ONNX file: .pt checkpoints are resolved, then exported once and cached. */
export async function resolveOnnx(nameOrPath: string, options: ResolveOptions & ExportOptions = {}): Promise<string> {
  const { imgsz, dynamic, batch, opset, ...resolveOptions } = options;
  const file = await resolveModel(nameOrPath, resolveOptions);
  if (!/\.(pt|pth)$/i.test(file)) return file;
  const exportOptions: ExportOptions = {};
  if (imgsz !== undefined) exportOptions.imgsz = imgsz;
  if (dynamic !== undefined) exportOptions.dynamic = dynamic;
  if (batch !== undefined) exportOptions.batch = batch;
  if (opset !== undefined) exportOptions.opset = opset;
  return cachedExport(file, { ...exportOptions, home: resolveOptions.home });
}
