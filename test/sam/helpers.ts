/** Tiny SAM configurations and a probe that runs a built graph with every intermediate exposed. */
import * as ort from 'onnxruntime-node';
import { buildOnnxModel } from '../../lib/onnx/builder';
import { ONNX_ELEM_TYPE } from '../../lib/onnx/model-info';
import { type SamArchitecture, SAM_DECODER } from '../../scripts/sam/configs';
import type { SamGraph } from '../../scripts/sam/graph';

/** Small enough to run in milliseconds, shaped to exercise window padding (8 -> 9, 16 -> 18, 8 -> 10). */
export const TINY_DECODER = {
  ...SAM_DECODER,
  prompt: { embedDim: 32, inputImageSize: 128 },
  transformer: { dim: 32, depth: 2, heads: 2, mlpDim: 64, downsample: 2 },
  embedSize: 8,
  iouHeadHidden: 16,
};

export const TINY_VIT: SamArchitecture = {
  variant: 'vit-b',
  label: 'tiny ViT',
  decoder: TINY_DECODER,
  encoder: {
    kind: 'vit',
    config: {
      imgSize: 128,
      patchSize: 16,
      embedDim: 24,
      depth: 3,
      heads: 2,
      mlpRatio: 2,
      windowSize: 3,
      globalAttnIndexes: [1],
      outChans: 32,
    },
  },
};

export const TINY_MOBILE: SamArchitecture = {
  ...TINY_VIT,
  label: 'tiny TinyViT',
  encoder: {
    kind: 'tiny-vit',
    config: {
      imgSize: 128,
      embedDims: [8, 16, 24, 320],
      depths: [1, 1, 2, 1],
      heads: [1, 2, 3, 4],
      windowSizes: [3, 3, 5, 3],
      mlpRatio: 2,
      mbconvExpandRatio: 2,
      outChans: 32,
    },
  },
};

/** Element type of every value (int64 for shape arithmetic and labels, float otherwise). */
function elemTypes(g: SamGraph): Map<string, number> {
  const types = new Map<string, number>();
  for (const i of g.initializers) types.set(i.name, i.dataType === 'int64' ? ONNX_ELEM_TYPE.INT64 : ONNX_ELEM_TYPE.FLOAT);
  for (const i of g.inputs) types.set(i.name, i.elemType ?? ONNX_ELEM_TYPE.FLOAT);
  for (const n of g.nodes) {
    const t = n.opType === 'Shape' ? ONNX_ELEM_TYPE.INT64 : (types.get(n.inputs[0]) ?? ONNX_ELEM_TYPE.FLOAT);
    n.outputs.forEach((o) => types.set(o, t));
  }
  return types;
}

export interface ProbeResult {
  outputs: Record<string, ort.Tensor>;
  /** Values whose runtime dims differ from the tracked ones: name, tracked, actual. */
  mismatches: string[];
  checked: number;
}

/** Runs `g` with every node output as a graph output, comparing runtime dims with the tracked ones. */
export async function probe(g: SamGraph, feeds: Record<string, ort.Tensor>): Promise<ProbeResult> {
  const types = elemTypes(g);
  const declared = new Set(g.outputs.map((o) => o.name));
  const extra = g.nodes.flatMap((n) => n.outputs).filter((o) => !declared.has(o));
  const spec = g.toModel('probe');
  const model = {
    ...spec,
    outputs: [
      ...spec.outputs,
      ...extra.map((name) => ({ name, dims: (g.dims.get(name) ?? []).map((_, i) => `d${i}`), elemType: types.get(name) })),
    ],
  };
  const session = await ort.InferenceSession.create(Buffer.from(buildOnnxModel(model)), { graphOptimizationLevel: 'disabled' });
  try {
    const outputs = await session.run(feeds);
    const mismatches: string[] = [];
    for (const [name, tensor] of Object.entries(outputs)) {
      const tracked = g.dims.get(name);
      if (JSON.stringify(tracked) !== JSON.stringify(tensor.dims))
        mismatches.push(`${name}: tracked [${tracked?.join(',')}], ran [${tensor.dims.join(',')}]`);
    }
    return { outputs, mismatches, checked: Object.keys(outputs).length };
  } finally {
    await session.release();
  }
}

/** Runs a built graph as it would be deployed (optimised), returning its declared outputs. */
export async function run(g: SamGraph, feeds: Record<string, ort.Tensor>): Promise<Record<string, ort.Tensor>> {
  const session = await ort.InferenceSession.create(Buffer.from(buildOnnxModel(g.toModel('run'))));
  try {
    return await session.run(feeds);
  } finally {
    await session.release();
  }
}

export function floats(length: number, f: (i: number) => number): Float32Array {
  return Float32Array.from({ length }, (_, i) => f(i));
}
