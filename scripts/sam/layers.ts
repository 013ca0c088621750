/** The layers SAM is made of (PyTorch semantics), with weights named as in SAM's state dict. */
import type { SamGraph, Value } from './graph';
import * as op from './ops';

/** nn.Linear on the last axis: x @ W (W stored [in, out]) + b. */
export function linear(g: SamGraph, scope: string, x: Value, outFeatures: number, bias = true): Value {
  const inFeatures = x.dims[x.dims.length - 1];
  const w = g.weight(`${scope}.weight`, [inFeatures, outFeatures], { kind: 'fanIn', fanIn: inFeatures });
  const y = op.matmul(g, scope, x, w);
  if (!bias) return y;
  return op.add(g, scope, y, g.weight(`${scope}.bias`, [outFeatures], { kind: 'fanIn', fanIn: inFeatures }));
}

/** nn.Conv2d on NCHW (square kernel); BatchNorm after it, where there is one, is folded in (bias). */
export function conv2d(
  g: SamGraph,
  scope: string,
  x: Value,
  outChannels: number,
  kernel: number,
  options: { stride?: number; padding?: number; groups?: number; bias?: boolean } = {},
): Value {
  const groups = options.groups ?? 1;
  const inPerGroup = x.dims[1] / groups;
  const fanIn = inPerGroup * kernel * kernel;
  const w = g.weight(`${scope}.weight`, [outChannels, inPerGroup, kernel, kernel], { kind: 'fanIn', fanIn });
  const b = options.bias === false ? null : g.weight(`${scope}.bias`, [outChannels], { kind: 'fanIn', fanIn });
  const s = options.stride ?? 1;
  const p = options.padding ?? 0;
  return op.conv(g, scope, x, w, b, { kernel: [kernel, kernel], strides: [s, s], pads: [p, p, p, p], group: groups });
}

/** nn.LayerNorm over the last axis (weight 1, bias 0 as initialised). */
export function layerNorm(g: SamGraph, scope: string, x: Value, epsilon: number): Value {
  const c = x.dims[x.dims.length - 1];
  const w = g.weight(`${scope}.weight`, [c], { kind: 'constant', value: 1 });
  const b = g.weight(`${scope}.bias`, [c], { kind: 'constant', value: 0 });
  return op.layerNormalization(g, scope, x, w, b, epsilon);
}

/** SAM's LayerNorm2d: normalises each pixel over the channel axis of NCHW. */
export function layerNorm2d(g: SamGraph, scope: string, x: Value, epsilon = 1e-6): Value {
  const c = x.dims[1];
  const mean = op.reduceMean(g, scope, x, [1]);
  const centered = op.sub(g, scope, x, mean);
  const variance = op.reduceMean(g, scope, op.mul(g, scope, centered, centered), [1]);
  const std = op.unary(g, 'Sqrt', scope, op.offset(g, scope, variance, epsilon));
  const normed = op.div(g, scope, centered, std);
  const w = g.weight(`${scope}.weight`, [c, 1, 1], { kind: 'constant', value: 1 });
  const b = g.weight(`${scope}.bias`, [c, 1, 1], { kind: 'constant', value: 0 });
  return op.add(g, scope, op.mul(g, scope, normed, w), b);
}

/** nn.GELU (exact, erf form): x * 0.5 * (1 + erf(x / sqrt 2)); ONNX Runtime fuses it into one kernel. */
export function gelu(g: SamGraph, scope: string, x: Value): Value {
  const erf = op.unary(g, 'Erf', scope, op.scale(g, scope, x, Math.SQRT1_2));
  return op.mul(g, scope, x, op.scale(g, scope, op.offset(g, scope, erf, 1), 0.5));
}

export function relu(g: SamGraph, scope: string, x: Value): Value {
  return op.unary(g, 'Relu', scope, x);
}

/** SAM's MLP: Linear layers with ReLU between them (none after the last). */
export function mlp(g: SamGraph, scope: string, x: Value, widths: readonly number[]): Value {
  let y = x;
  widths.forEach((width, i) => {
    y = linear(g, `${scope}.layers.${i}`, y, width);
    if (i < widths.length - 1) y = relu(g, `${scope}.layers.${i}`, y);
  });
  return y;
}

/**
 * Scaled dot-product attention over heads already split: q [.., h, Tq, c], k [.., h, Tk, c],
 * v [.., h, Tk, c]; `bias` (e.g. relative positions) is added to the logits before the softmax.
 */
export function attend(g: SamGraph, scope: string, q: Value, kT: Value, v: Value, headDim: number, bias?: (logits: Value) => Value): Value {
  let logits = op.scale(g, scope, op.matmul(g, scope, q, kT), 1 / Math.sqrt(headDim));
  if (bias) logits = bias(logits);
  return op.matmul(g, scope, op.softmax(g, scope, logits), v);
}
