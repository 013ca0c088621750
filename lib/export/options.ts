/** Export options, checked and resolved the way Ultralytics' exporter resolves them. */
import { checkBoolean, checkInteger, checkKnownKeys, checkSize } from '../options/check';

export interface ExportOptions {
  /** Input size: one number for a square, or [height, width]. Rounded up to the stride. Default: the
   *  checkpoint's training imgsz (Ultralytics' rule), else 640. */
  imgsz?: number | readonly number[];
  /** Dynamic batch, height and width axes. Default false. */
  dynamic?: boolean;
  /** Batch size of a static export. Default 1. */
  batch?: number;
  /** ONNX opset, 11 to 21. Default 17. */
  opset?: number;
}

export interface ResolvedExportOptions {
  imgsz: [number, number];
  dynamic: boolean;
  batch: number;
  opset: number;
}

export const DEFAULT_OPSET = 17;
export const MIN_OPSET = 11;
export const MAX_OPSET = 21;
const MAX_SIDE = 8192;
const MAX_BATCH = 1024;

const KNOWN = ['imgsz', 'dynamic', 'batch', 'opset'];

/** Checks types and ranges; imgsz is resolved later, once the stride is known. */
export function checkExportOptions(options: ExportOptions): void {
  checkKnownKeys('export option', options, KNOWN);
  if (options.dynamic !== undefined) checkBoolean('dynamic', options.dynamic);
  if (options.batch !== undefined) checkInteger('batch', options.batch, 1, MAX_BATCH);
  if (options.opset !== undefined) checkInteger('opset', options.opset, MIN_OPSET, MAX_OPSET);
  if (options.imgsz !== undefined) imgszPair(options.imgsz);
}

function imgszPair(imgsz: number | readonly number[]): [number, number] {
  const pair = typeof imgsz === 'number' ? [imgsz, imgsz] : Array.isArray(imgsz) && imgsz.length === 1 ? [imgsz[0], imgsz[0]] : imgsz;
  return checkSize('imgsz', pair, MAX_SIDE);
}

/** Like Ultralytics' check_imgsz: each side rounded up to a multiple of the stride. */
export function resolveExportOptions(
  options: ExportOptions,
  stride: number,
  trainImgsz: number | readonly number[] | undefined,
): ResolvedExportOptions {
  checkExportOptions(options);
  const requested = options.imgsz ?? trainImgsz ?? 640;
  const [h, w] = imgszPair(requested);
  return {
    imgsz: [Math.ceil(h / stride) * stride, Math.ceil(w / stride) * stride],
    dynamic: options.dynamic ?? false,
    batch: options.batch ?? 1,
    opset: options.opset ?? DEFAULT_OPSET,
  };
}

/** The ONNX IR version that goes with an opset (the ONNX release that introduced it). */
export function irVersionFor(opset: number): number {
  if (opset <= 18) return 8;
  if (opset <= 20) return 9;
  return 10;
}
