/** The two public entry points: export to bytes, or to a file next to the checkpoint (Ultralytics' rule). */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Checkpoint } from '../checkpoint/checkpoint';
import { FastSAMError, messageOf } from '../errors';
import { exportCheckpoint, type ExportedModel, joinParts } from './export';
import type { ExportOptions } from './options';
import { writeFileAtomic } from './write-file';

export interface ExportFileOptions extends ExportOptions {
  /** Where to write: a file, or an existing folder. Default: NAME.onnx next to NAME.pt. */
  output?: string;
}

export interface ExportSummary extends Omit<ExportedModel, 'parts'> {
  /** The written file. */
  path: string;
  seconds: number;
}

async function open(checkpoint: string | Uint8Array): Promise<Checkpoint> {
  return typeof checkpoint === 'string' ? Checkpoint.load(checkpoint) : Checkpoint.read(checkpoint);
}

/** Exports a checkpoint (path or bytes) to ONNX bytes. */
export async function exportOnnx(checkpoint: string | Uint8Array, options: ExportOptions = {}): Promise<Uint8Array> {
  return joinParts(exportCheckpoint(await open(checkpoint), options).parts);
}

/** NAME.pt -> NAME.onnx in the same folder. */
export function defaultOnnxPath(checkpointPath: string): string {
  const parsed = path.parse(checkpointPath);
  return path.join(parsed.dir, `${parsed.name}.onnx`);
}

async function outputPath(checkpointPath: string, output: string | undefined): Promise<string> {
  if (output === undefined) return defaultOnnxPath(checkpointPath);
  const stat = await fs.stat(output).catch(() => undefined);
  if (stat?.isDirectory() || /[\\/]$/.test(output)) return path.join(output, path.basename(defaultOnnxPath(checkpointPath)));
  return output;
}

/** Exports a checkpoint file and writes the ONNX model atomically; returns where and what. */
export async function exportOnnxToFile(checkpointPath: string, options: ExportFileOptions = {}): Promise<ExportSummary> {
  const started = performance.now();
  const { output, ...exportOptions } = options;
  const exported = exportCheckpoint(await open(checkpointPath), exportOptions);
  const file = await outputPath(checkpointPath, output);
  try {
    await fs.mkdir(path.dirname(path.resolve(file)), { recursive: true });
    await writeFileAtomic(file, exported.parts);
  } catch (error) {
    throw new FastSAMError('E_BAD_OPTION', `cannot write ${file}: ${messageOf(error)}`, { cause: error });
  }
  const { parts: _parts, ...summary } = exported;
  return { ...summary, path: file, seconds: (performance.now() - started) / 1000 };
}
