/**
 * Multiply-accumulates of a built graph, from its tracked dims: MatMul, Conv and ConvTranspose, the
 * ops that carry the compute and that papers count (their "FLOPs" are MACs). Nodes computed from
 * constants alone (gathering relative-position tables, the positional-encoding grid) are skipped:
 * ONNX Runtime folds them once at load.
 */
import type { SamGraph } from './graph';
import { numel } from './shapes';

export interface MacCount {
  total: number;
  byOp: Record<string, number>;
}

export function countMacs(g: SamGraph): MacCount {
  const constant = new Set(g.initializers.map((i) => i.name));
  const dims = (name: string): readonly number[] => {
    const d = g.dims.get(name);
    if (!d) throw new Error(`no dims tracked for ${name}`);
    return d;
  };
  const byOp: Record<string, number> = {};
  let total = 0;
  for (const node of g.nodes) {
    if (node.inputs.every((i) => constant.has(i))) {
      node.outputs.forEach((o) => constant.add(o));
      continue;
    }
    const out = dims(node.outputs[0]);
    let macs = 0;
    if (node.opType === 'MatMul') {
      const a = dims(node.inputs[0]);
      macs = numel(out) * a[a.length - 1];
    } else if (node.opType === 'Conv') {
      const [, inPerGroup, kh, kw] = dims(node.inputs[1]);
      macs = numel(out) * inPerGroup * kh * kw;
    } else if (node.opType === 'ConvTranspose') {
      const [, outPerGroup, kh, kw] = dims(node.inputs[1]);
      macs = numel(dims(node.inputs[0])) * outPerGroup * kh * kw;
    }
    if (macs > 0) {
      byOp[node.opType] = (byOp[node.opType] ?? 0) + macs;
      total += macs;
    }
  }
  return { total, byOp };
}
