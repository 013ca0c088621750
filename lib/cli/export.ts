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
import type { CommandSchema, ParsedKeys } from '../options/key-schema';

export const EXPORT_SCHEMA: CommandSchema = {
  name: 'export',
  summary: 'an Ultralytics .pt checkpoint to ONNX, in Node alone (no Python)',
  usage: 'model=MODEL.pt [key=value ...] [--json]',
  keys: {
    model: { kind: 'path', help: 'a .pt checkpoint, or a model name (cached, downloaded)', required: true },
    format: { kind: 'enum', values: ['onnx'], help: 'the output format', default: 'onnx' },
    imgsz: { kind: 'size', help: 'input size, rounded up to the stride', default: "the checkpoint's, else 640" },
    dynamic: { kind: 'boolean', help: 'dynamic batch, height and width axes', default: 'false' },
    batch: { kind: 'integer', help: 'batch size of a static export', default: '1' },
    opset: { kind: 'integer', help: 'ONNX opset, 11 to 21', default: '17' },
    output: { kind: 'path', help: 'where to write the .onnx', default: 'next to the .pt' },
    simplify: { kind: 'boolean', help: 'accepted for Ultralytics compatibility: the graph is already simple' },
    half: { kind: 'boolean', help: 'FP16 export: not supported (false only)', default: 'false' },
    nms: { kind: 'boolean', help: 'NMS inside the model: not supported (false only; NMS runs after the model)', default: 'false' },
    device: { kind: 'enum', values: ['cpu'], help: 'export runs on the CPU', default: 'cpu' },
  },
  flags: { json: 'one JSON line describing the export' },
};

// Ultralytics arguments we accept but cannot honour are refused rather than silently ignored.
function checkUnsupported(keys: ParsedKeys): void {
  if (keys.half === true) throw new FastSAMError('E_BAD_OPTION', 'half=true: FP16 export is not supported; export FP32 (the default)');
  if (keys.nms === true) throw new FastSAMError('E_BAD_OPTION', 'nms=true: NMS is done by fastsam-node after the model, not inside it');
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

export async function exportCommand(keys: ParsedKeys, flags: Set<string>): Promise<void> {
  const model = keys.model as string;
  if (/\.onnx$/i.test(model)) {
    throw new FastSAMError('E_BAD_OPTION', `model=${model} is already ONNX; export takes an Ultralytics .pt checkpoint`);
  }
  checkUnsupported(keys);
  const options = {
    imgsz: keys.imgsz as number | [number, number] | undefined,
    dynamic: keys.dynamic as boolean | undefined,
    batch: keys.batch as number | undefined,
    opset: keys.opset as number | undefined,
  };
  const local = await isFile(model);
  const checkpoint = local ? model : await resolveModel(model);
  // Next to a local checkpoint (Ultralytics' rule); a cached one exports into the current folder.
  const output =
    (keys.output as string | undefined) ?? (local ? undefined : path.join(process.cwd(), `${path.parse(checkpoint).name}.onnx`));
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
