/**
 * Checkpoint -> ONNX: reads the architecture and weights, emits the YOLOv8-seg graph with Ultralytics'
 * input/output names, layout and metadata, and serialises it with our own ONNX writer.
 */
import { Checkpoint } from '../checkpoint/checkpoint';
import { malformed } from '../checkpoint/errors';
import { FastSAMError } from '../errors';
import { PyDict, PyObject, PyList, PyTuple, type PyValue } from '../checkpoint/py-values';
import { buildOnnxModelParts, type OnnxModelSpec, type OnnxValueInfoSpec } from '../onnx/builder';
import { Graph } from './graph';
import { prettyName, ultralyticsMetadata } from './metadata';
import { readModelYaml } from './model-yaml';
import { emitNetwork } from './network';
import {
  checkExportOptions,
  DEFAULT_OPSET,
  type ExportOptions,
  irVersionFor,
  resolveExportOptions,
  type ResolvedExportOptions,
} from './options';
import { Weights } from './weights';

/** Bumped whenever the exporter's output changes, so cached exports are redone. */
export const EXPORT_FORMAT_VERSION = 1;

export interface ExportedModel extends ResolvedExportOptions {
  /** The ONNX bytes as chunks, in order (weights are views, not copies). */
  parts: Uint8Array[];
  byteLength: number;
  inputShape: (number | string)[];
  output0Shape: (number | string)[];
  output1Shape: (number | string)[];
  names: Map<number, string>;
  strides: number[];
  metadata: Record<string, string>;
}

function lookup(container: PyValue | undefined, key: string): PyValue | undefined {
  if (container instanceof PyDict) return container.get(key);
  if (container instanceof PyObject) return container.attrs.get(key);
  return undefined;
}

// Ultralytics takes these from the model's saved arguments (train_args, or model.args).
function trainingArgument(checkpoint: Checkpoint, model: PyObject, key: string): PyValue | undefined {
  return lookup(checkpoint.get('train_args'), key) ?? lookup(model.attrs.get('args'), key);
}

function trainImgsz(value: PyValue | undefined): number | number[] | undefined {
  if (typeof value === 'number') return value;
  if (value instanceof PyList || value instanceof PyTuple) {
    const sides: number[] = [];
    for (const v of value.items) if (typeof v === 'number') sides.push(v);
    return sides.length === value.items.length && sides.length > 0 ? sides : undefined;
  }
  return undefined;
}

function readNames(model: PyObject, nc: number): Map<number, string> {
  const names = new Map<number, string>();
  const value = model.attrs.get('names');
  if (value instanceof PyDict) {
    for (const [k, v] of value.entries()) if (typeof k === 'number' && typeof v === 'string') names.set(k, v);
  } else if (value instanceof PyList) {
    value.items.forEach((v, i) => typeof v === 'string' && names.set(i, v));
  }
  if (names.size === 0) for (let i = 0; i < nc; i++) names.set(i, `class${i}`);
  if (names.size !== nc) throw malformed(`the model has ${nc} classes but ${names.size} names`);
  return names;
}

function fileName(file: string): string {
  return file.split(/[\\/]/).pop() ?? file;
}

/** Builds the ONNX model of an opened checkpoint. */
export function exportCheckpoint(checkpoint: Checkpoint, options: ExportOptions = {}): ExportedModel {
  try {
    return buildExport(checkpoint, options);
  } catch (error) {
    // Say which file does not fit (option errors are about the call, not the file).
    if (error instanceof FastSAMError && error.code === 'E_MODEL_FORMAT') {
      throw new FastSAMError(error.code, `${checkpoint.label}: ${error.message}`, { cause: error });
    }
    throw error;
  }
}

function buildExport(checkpoint: Checkpoint, options: ExportOptions): ExportedModel {
  const model = checkpoint.model();
  const weights = new Weights(checkpoint);
  const firstChannels = weights.has('model.0.conv.weight') ? weights.shape('model.0.conv.weight')[0] : undefined;
  const yaml = readModelYaml(model.attrs.get('yaml'), firstChannels);
  if (yaml.act !== undefined && !/^nn\.SiLU\(\)$/.test(yaml.act))
    throw malformed(`activation ${yaml.act} is not supported (YOLOv8 uses SiLU)`);
  checkExportOptions(options);
  const g = new Graph(options.opset ?? DEFAULT_OPSET);
  let resolved: ResolvedExportOptions | undefined;
  const train = trainImgsz(trainingArgument(checkpoint, model, 'imgsz'));
  // The size is settled when the head is reached: rounding it needs the network's stride.
  const head = emitNetwork({ g, w: weights }, yaml, (stride) => {
    resolved = resolveExportOptions(options, stride, train);
    return resolved.dynamic ? null : resolved.imgsz;
  });
  if (!resolved) throw new Error('unreachable: the head resolves the options');
  checkModelStride(weights, head.strides);
  const stride = Math.max(...head.strides);

  const [h, w] = resolved.imgsz;
  const anchors = head.strides.reduce((n, s) => n + (h / s) * (w / s), 0);
  const batch: number | string = resolved.dynamic ? 'batch' : resolved.batch;
  const inputShape = resolved.dynamic ? ['batch', 3, 'height', 'width'] : [batch, 3, h, w];
  const output0Shape = [batch, 4 + head.nc + head.nm, resolved.dynamic ? 'anchors' : anchors];
  const output1Shape = resolved.dynamic
    ? ['batch', head.nm, 'mask_height', 'mask_width']
    : [batch, head.nm, h / head.protoStride, w / head.protoStride];
  const names = readNames(model, head.nc);
  const data = trainingArgument(checkpoint, model, 'data');
  const metadata = ultralyticsMetadata({
    prettyName: prettyName(yaml.yamlFile, checkpoint.label),
    data: typeof data === 'string' && data ? fileName(data) : undefined,
    stride,
    batch: resolved.batch,
    imgsz: resolved.imgsz,
    names,
  });
  const io = (name: string, dims: (number | string)[]): OnnxValueInfoSpec => ({ name, dims });
  const spec: OnnxModelSpec = {
    irVersion: irVersionFor(resolved.opset),
    producerName: 'fastsam-node',
    producerVersion: String(EXPORT_FORMAT_VERSION),
    opsetImports: [{ domain: '', version: resolved.opset }],
    metadata,
    graphName: 'main_graph',
    nodes: g.nodes,
    initializers: g.initializers,
    inputs: [io('images', inputShape)],
    outputs: [io('output0', output0Shape), io('output1', output1Shape)],
  };
  const parts = buildOnnxModelParts(spec);
  return {
    ...resolved,
    parts,
    byteLength: parts.reduce((n, p) => n + p.length, 0),
    inputShape,
    output0Shape,
    output1Shape,
    names,
    strides: head.strides,
    metadata,
  };
}

// The checkpoint records the strides it was built with; the graph must agree.
function checkModelStride(weights: Weights, strides: number[]): void {
  const recorded = weights.attributeTensor(weights.root, 'stride');
  if (recorded && (recorded.length !== strides.length || strides.some((s, i) => recorded[i] !== s))) {
    throw malformed(`the checkpoint's strides [${Array.from(recorded).join(', ')}] differ from its network's [${strides.join(', ')}]`);
  }
}

/** Concatenates an export's chunks into one buffer. */
export function joinParts(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
