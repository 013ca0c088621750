/** ONNX ops as functions of tracked values: each emits one node and computes its output dims. */
import type { SamGraph, Value } from './graph';
import * as S from './shapes';

const ints = (value: readonly number[]) => ({ type: 'ints', value }) as const;
const int = (value: number) => ({ type: 'int', value }) as const;
const float = (value: number) => ({ type: 'float', value }) as const;

type Binary = 'Add' | 'Sub' | 'Mul' | 'Div';

function binary(g: SamGraph, op: Binary, scope: string, a: Value, b: Value): Value {
  return g.node(op, scope, [a, b], S.broadcast(op, a.dims, b.dims));
}

export const add = (g: SamGraph, scope: string, a: Value, b: Value) => binary(g, 'Add', scope, a, b);
export const sub = (g: SamGraph, scope: string, a: Value, b: Value) => binary(g, 'Sub', scope, a, b);
export const mul = (g: SamGraph, scope: string, a: Value, b: Value) => binary(g, 'Mul', scope, a, b);
export const div = (g: SamGraph, scope: string, a: Value, b: Value) => binary(g, 'Div', scope, a, b);

/** x * c for a scalar constant c. */
export function scale(g: SamGraph, scope: string, x: Value, c: number): Value {
  return mul(g, scope, x, g.floats(scope, [], Float32Array.of(c)));
}

/** x + c for a scalar constant c. */
export function offset(g: SamGraph, scope: string, x: Value, c: number): Value {
  return add(g, scope, x, g.floats(scope, [], Float32Array.of(c)));
}

export function unary(g: SamGraph, op: 'Erf' | 'Relu' | 'Sqrt' | 'Sin' | 'Cos', scope: string, x: Value): Value {
  return g.node(op, scope, [x], x.dims);
}

export function matmul(g: SamGraph, scope: string, a: Value, b: Value): Value {
  return g.node('MatMul', scope, [a, b], S.matmul(a.dims, b.dims));
}

export function softmax(g: SamGraph, scope: string, x: Value): Value {
  return g.node('Softmax', scope, [x], x.dims, { axis: int(-1) });
}

export function transpose(g: SamGraph, scope: string, x: Value, perm: readonly number[]): Value {
  return g.node('Transpose', scope, [x], S.transpose(x.dims, perm), { perm: ints(perm) });
}

/** Reshape; 0 copies the input dim and -1 infers one, so dynamic leading dims survive. */
export function reshape(g: SamGraph, scope: string, x: Value, spec: readonly number[]): Value {
  return g.node('Reshape', scope, [x, g.int64s(scope, spec)], S.reshape(x.dims, spec));
}

export function concat(g: SamGraph, scope: string, inputs: readonly Value[], axis: number): Value {
  return g.node(
    'Concat',
    scope,
    inputs,
    S.concat(
      inputs.map((v) => v.dims),
      axis,
    ),
    { axis: int(axis) },
  );
}

/** Static slice along `axes` (ends may exceed the dim: ONNX clamps). */
export function slice(
  g: SamGraph,
  scope: string,
  x: Value,
  axes: readonly number[],
  starts: readonly number[],
  ends: readonly number[],
): Value {
  const inputs = [x, g.int64s(scope, starts), g.int64s(scope, ends), g.int64s(scope, axes)];
  return g.node('Slice', scope, inputs, S.slice(x.dims, axes, starts, ends));
}

export function gather(g: SamGraph, scope: string, data: Value, indices: Value, axis: number): Value {
  return g.node('Gather', scope, [data, indices], S.gather(data.dims, indices.dims, axis), { axis: int(axis) });
}

/** Zero padding; `pads` is ONNX's [begin of each axis..., end of each axis...]. */
export function pad(g: SamGraph, scope: string, x: Value, pads: readonly number[]): Value {
  return g.node('Pad', scope, [x, g.int64s(scope, pads)], S.pad(x.dims, pads));
}

export function unsqueeze(g: SamGraph, scope: string, x: Value, axes: readonly number[]): Value {
  return g.node('Unsqueeze', scope, [x, g.int64s(scope, axes)], S.unsqueeze(x.dims, axes));
}

export function squeeze(g: SamGraph, scope: string, x: Value, axes: readonly number[]): Value {
  return g.node('Squeeze', scope, [x, g.int64s(scope, axes)], S.squeeze(x.dims, axes));
}

export function reduceMean(g: SamGraph, scope: string, x: Value, axes: readonly number[]): Value {
  return g.node('ReduceMean', scope, [x], S.reduce(x.dims, axes, true), { axes: ints(axes), keepdims: int(1) });
}

export function layerNormalization(g: SamGraph, scope: string, x: Value, weight: Value, bias: Value, epsilon: number): Value {
  return g.node('LayerNormalization', scope, [x, weight, bias], x.dims, { axis: int(-1), epsilon: float(epsilon) });
}

export function conv(g: SamGraph, scope: string, x: Value, weight: Value, bias: Value | null, geometry: S.ConvGeometry): Value {
  const [kh, kw] = geometry.kernel;
  const attributes = {
    kernel_shape: ints([kh, kw]),
    strides: ints(geometry.strides ?? [1, 1]),
    pads: ints(geometry.pads ?? [0, 0, 0, 0]),
    group: int(geometry.group ?? 1),
  };
  const inputs = bias ? [x, weight, bias] : [x, weight];
  return g.node('Conv', scope, inputs, S.conv(x.dims, weight.dims[0], geometry), attributes);
}

/** ConvTranspose with weight [inC, outC, k, k], stride = kernel (SAM's 2x upscaling). */
export function convTranspose(g: SamGraph, scope: string, x: Value, weight: Value, bias: Value, stride: number): Value {
  const k = weight.dims[2];
  const attributes = { kernel_shape: ints([k, k]), strides: ints([stride, stride]) };
  return g.node('ConvTranspose', scope, [x, weight, bias], S.convTranspose(x.dims, weight.dims[1], k, stride), attributes);
}

/**
 * Repeats `x` (leading dim 1) along dim 0 to the runtime size of dim `axis` of `like`, the way SAM
 * repeats the image embedding once per prompt. `nominal` is that size for dims tracking.
 */
export function expandLeading(g: SamGraph, scope: string, x: Value, like: Value, axis: number): Value {
  const shape = g.node('Shape', scope, [like], [like.dims.length]);
  const size = slice(g, scope, shape, [0], [axis], [axis + 1]);
  const target = concat(g, scope, [size, g.int64s(scope, x.dims.slice(1))], 0);
  return g.node('Expand', scope, [x, target], [like.dims[axis], ...x.dims.slice(1)]);
}
