/** Export options, checked and resolved the way Ultralytics' exporter resolves them. */
import { FastSAMError } from '../errors';

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

function bad(message: string): never {
  throw new FastSAMError('E_BAD_OPTION', message);
}

function integerIn(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    bad(`${name} must be an integer in [${min}, ${max}], got ${JSON.stringify(value)}`);
  }
  return value;
}

const KNOWN = new Set(['imgsz', 'dynamic', 'batch', 'opset']);

/** Checks types and ranges; imgsz is resolved later, once the stride is known. */
export function checkExportOptions(options: ExportOptions): void {
  for (const key of Object.keys(options)) if (!KNOWN.has(key)) bad(`unknown export option '${key}'`);
  if (options.dynamic !== undefined && typeof options.dynamic !== 'boolean') bad('dynamic must be true or false');
  if (options.batch !== undefined) integerIn('batch', options.batch, 1, MAX_BATCH);
  if (options.opset !== undefined) integerIn('opset', options.opset, MIN_OPSET, MAX_OPSET);
  if (options.imgsz !== undefined) imgszPair(options.imgsz);
}

function imgszPair(imgsz: number | readonly number[]): [number, number] {
  const pair = typeof imgsz === 'number' ? [imgsz, imgsz] : Array.isArray(imgsz) && imgsz.length === 1 ? [imgsz[0], imgsz[0]] : imgsz;
  if (!Array.isArray(pair) || pair.length !== 2) bad(`imgsz must be a number or [height, width], got ${JSON.stringify(imgsz)}`);
  return [integerIn('imgsz', pair[0], 1, MAX_SIDE), integerIn('imgsz', pair[1], 1, MAX_SIDE)];
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
