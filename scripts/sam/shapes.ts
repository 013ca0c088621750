/**
 * Output dims of the ONNX ops the SAM builders use, computed as ONNX defines them. The builders track
 * every tensor's dims with these, so FLOPs can be counted without running anything; tests check the
 * tracked dims against what ONNX Runtime actually produces.
 */

export type Dims = readonly number[];

const product = (dims: Dims): number => dims.reduce((n, d) => n * d, 1);

export function numel(dims: Dims): number {
  return product(dims);
}

function fail(op: string, message: string): never {
  throw new Error(`${op}: ${message}`);
}

/** Numpy-style broadcasting of any number of shapes. */
export function broadcast(op: string, ...shapes: Dims[]): number[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    let dim = 1;
    for (const s of shapes) {
      const d = s[s.length - rank + i] ?? 1;
      if (d !== 1 && dim !== 1 && d !== dim) fail(op, `cannot broadcast [${shapes.map((x) => x.join(',')).join('] [')}]`);
      if (d !== 1) dim = d;
    }
    out.push(dim);
  }
  return out;
}

/** MatMul: batch dims broadcast, then [m, k] x [k, n] (1-D operands are not used here). */
export function matmul(a: Dims, b: Dims): number[] {
  if (a.length < 2 || b.length < 2) fail('MatMul', 'operands must be at least 2-D');
  const [m, k] = a.slice(-2);
  const [k2, n] = b.slice(-2);
  if (k !== k2) fail('MatMul', `inner dims differ: [${a.join(',')}] x [${b.join(',')}]`);
  return [...broadcast('MatMul', a.slice(0, -2), b.slice(0, -2)), m, n];
}

export function transpose(x: Dims, perm: readonly number[]): number[] {
  if (perm.length !== x.length) fail('Transpose', `perm [${perm.join(',')}] for rank ${x.length}`);
  return perm.map((p) => x[p]);
}

/** Reshape with ONNX's 0 (copy the input dim) and -1 (infer) conventions. */
export function reshape(x: Dims, spec: readonly number[]): number[] {
  const out = spec.map((d, i) => (d === 0 ? x[i] : d));
  const known = product(out.filter((d) => d !== -1));
  const inferred = out.indexOf(-1);
  if (inferred >= 0) out[inferred] = product(x) / known;
  if (product(out) !== product(x) || !out.every(Number.isInteger)) fail('Reshape', `[${x.join(',')}] to [${spec.join(',')}]`);
  return out;
}

export interface ConvGeometry {
  kernel: readonly [number, number];
  strides?: readonly [number, number];
  /** [top, left, bottom, right] as ONNX orders them. */
  pads?: readonly [number, number, number, number];
  group?: number;
}

/** Conv on NCHW: weight [outC, inC / group, kh, kw]. */
export function conv(x: Dims, outChannels: number, g: ConvGeometry): number[] {
  const [n, , h, w] = x;
  const [kh, kw] = g.kernel;
  const [sh, sw] = g.strides ?? [1, 1];
  const [pt, pl, pb, pr] = g.pads ?? [0, 0, 0, 0];
  return [n, outChannels, Math.floor((h + pt + pb - kh) / sh) + 1, Math.floor((w + pl + pr - kw) / sw) + 1];
}

/** ConvTranspose on NCHW without padding: out = (in - 1) * stride + kernel. */
export function convTranspose(x: Dims, outChannels: number, kernel: number, stride: number): number[] {
  const [n, , h, w] = x;
  return [n, outChannels, (h - 1) * stride + kernel, (w - 1) * stride + kernel];
}

export function concat(inputs: Dims[], axis: number): number[] {
  const rank = inputs[0].length;
  const a = axis < 0 ? axis + rank : axis;
  const out = [...inputs[0]];
  out[a] = inputs.reduce((n, s) => n + s[a], 0);
  return out;
}

/** Slice with positive starts/ends already clamped by the caller, step 1. */
export function slice(x: Dims, axes: readonly number[], starts: readonly number[], ends: readonly number[]): number[] {
  const out = [...x];
  axes.forEach((axis, i) => {
    const end = Math.min(ends[i], x[axis]);
    out[axis] = Math.max(0, end - starts[i]);
  });
  return out;
}

/** Gather: data dims with `axis` replaced by the indices' dims. */
export function gather(data: Dims, indices: Dims, axis: number): number[] {
  return [...data.slice(0, axis), ...indices, ...data.slice(axis + 1)];
}

export function reduce(x: Dims, axes: readonly number[], keepDims: boolean): number[] {
  const set = new Set(axes.map((a) => (a < 0 ? a + x.length : a)));
  return keepDims ? x.map((d, i) => (set.has(i) ? 1 : d)) : x.filter((_, i) => !set.has(i));
}

export function pad(x: Dims, pads: readonly number[]): number[] {
  const rank = x.length;
  return x.map((d, i) => d + pads[i] + pads[i + rank]);
}

export function unsqueeze(x: Dims, axes: readonly number[]): number[] {
  const out = [...x];
  for (const axis of [...axes].sort((a, b) => a - b)) out.splice(axis, 0, 1);
  return out;
}

export function squeeze(x: Dims, axes: readonly number[]): number[] {
  const set = new Set(axes);
  x.forEach((d, i) => {
    if (set.has(i) && d !== 1) fail('Squeeze', `axis ${i} has size ${d}`);
  });
  return x.filter((_, i) => !set.has(i));
}
