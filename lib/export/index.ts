/**
 * Ultralytics checkpoint (.pt) -> ONNX, in Node alone:
 *   const bytes = await exportOnnx('FastSAM-s.pt', { imgsz: 1024 });
 *   const { path } = await exportOnnxToFile('FastSAM-s.pt', { imgsz: 1024 }); // writes FastSAM-s.onnx next to it
 */
export { exportOnnx, exportOnnxToFile, type ExportFileOptions, type ExportSummary } from './export-file';
export { exportCheckpoint, EXPORT_FORMAT_VERSION, type ExportedModel, joinParts } from './export';
export { DEFAULT_OPSET, type ExportOptions, MAX_OPSET, MIN_OPSET, type ResolvedExportOptions } from './options';
