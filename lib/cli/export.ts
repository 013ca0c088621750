/**
 * `fastsam export model=FastSAM-s.pt format=onnx imgsz=1024 [dynamic=true] [batch=1] [opset=17] [output=PATH] [--json]`
 * Ultralytics' export in Node alone: NAME.onnx is written next to NAME.pt (or in the current folder when the
 * checkpoint came from the model cache) unless output= says otherwise. A model name that is not a local
 * file is resolved through the cache, downloading the official weights when needed.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { resolveModel } from '../cache';
import { FastSAMError } from '../errors';
import { exportOnnxToFile, type ExportSummary } from '../export';
import { parsePythonIntList } from '../onnx/python-literal';
import { boolArg, numberArg } from './args';

export const EXPORT_USAGE =
  'fastsam export model=MODEL.pt [format=onnx] [imgsz=640 | imgsz=480,640] [dynamic=true] [batch=1] [opset=17] [output=PATH] [--json]';

const ALLOWED = new Set(['model', 'format', 'imgsz', 'dynamic', 'batch', 'opset', 'output', 'simplify', 'half', 'nms', 'device']);

function bad(message: string): never {
  throw new FastSAMError('E_BAD_OPTION', `${message}\nusage: ${EXPORT_USAGE}`);
}

function imgszArg(value: string | undefined): number | [number, number] | undefined {
  if (value === undefined) return undefined;
  let sides: number[];
  try {
    sides = parsePythonIntList(value);
  } catch {
    bad(`imgsz=${value}: expected a number or height,width`);
  }
  if (sides.length === 1) return sides[0];
  if (sides.length === 2) return [sides[0], sides[1]];
  return bad(`imgsz=${value}: expected one or two numbers`);
}

// Ultralytics arguments we accept but cannot honour are refused rather than silently ignored.
function checkUnsupported(values: Record<string, string>): void {
  const format = (values.format ?? 'onnx').toLowerCase();
  if (format !== 'onnx') bad(`format=${values.format}: fastsam export writes ONNX only`);
  if (values.half !== undefined && boolArg(values, 'half')) bad('half=true: FP16 export is not supported; export FP32 (the default)');
  if (values.nms !== undefined && boolArg(values, 'nms')) bad('nms=true: NMS is done by fastsam-node after the model, not inside it');
  if (values.device !== undefined && !/^cpu$/i.test(values.device)) bad(`device=${values.device}: export runs on the CPU`);
  if (values.simplify !== undefined) boolArg(values, 'simplify'); // accepted: the graph is already simple
}

async function isFile(file: string): Promise<boolean> {
  return (await fs.stat(file).catch(() => undefined))?.isFile() ?? false;
}

function describe(model: string, summary: ExportSummary): string {
  const dims = (d: (number | string)[]): string => `[${d.join(',')}]`;
  return (
    `${model} -> ${summary.path}: images ${dims(summary.inputShape)} -> output0 ${dims(summary.output0Shape)}, ` +
    `output1 ${dims(summary.output1Shape)}; opset ${summary.opset}, ${(summary.byteLength / 1e6).toFixed(1)} MB in ${summary.seconds.toFixed(1)} s`
  );
}

export async function exportCommand(values: Record<string, string>, flags: Set<string>): Promise<void> {
  for (const key of Object.keys(values)) if (!ALLOWED.has(key)) bad(`unknown export argument '${key}'`);
  const model = values.model;
  if (!model) bad('missing model=...');
  if (/\.onnx$/i.test(model)) bad(`model=${model} is already ONNX; export takes an Ultralytics .pt checkpoint`);
  checkUnsupported(values);
  const options = {
    imgsz: imgszArg(values.imgsz),
    dynamic: boolArg(values, 'dynamic'),
    batch: numberArg(values, 'batch'),
    opset: numberArg(values, 'opset'),
  };
  const local = await isFile(model);
  const checkpoint = local ? model : await resolveModel(model);
  // Next to a local checkpoint (Ultralytics' rule); a cached one exports into the current folder.
  const output = values.output ?? (local ? undefined : path.join(process.cwd(), `${path.parse(checkpoint).name}.onnx`));
  const summary = await exportOnnxToFile(checkpoint, {
    ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)),
    ...(output === undefined ? {} : { output }),
  });
  if (flags.has('json')) {
    const { names, metadata, ...rest } = summary;
    console.log(JSON.stringify({ model, ...rest, names: Object.fromEntries(names), metadata }));
  } else {
    console.log(describe(model, summary));
  }
}
