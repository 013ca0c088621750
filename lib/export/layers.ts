/**
 * ONNX for the YOLOv8 building blocks, read from the pickled modules: Conv (Conv2d + folded BatchNorm +
 * SiLU), Bottleneck, C2f, SPPF, nn.Upsample (nearest Resize) and Concat. Hyperparameters (kernel, stride,
 * padding, eps, shortcut) come from each module's own attributes, channel counts from its weights.
 */
import { malformed } from '../checkpoint/errors';
import type { ModuleNode } from '../checkpoint/modules';
import { foldBatchNorm } from './fold-bn';
import { float, type Graph, int, ints, str } from './graph';
import { attrBool, attrInt, attrNumber, attrPair, attrString, expectClass, type Weights } from './weights';

/** A tensor flowing through the network: its name, channels and stride relative to the input. */
export interface Feature {
  name: string;
  channels: number;
  stride: number;
}

export interface Context {
  g: Graph;
  w: Weights;
}

/** '/model.2/cv1' for 'model.2.cv1': torch-exporter-like scopes. */
export function scopeOf(path: string): string {
  const [root, index, ...rest] = path.split('.');
  return ['', `${root}.${index}`, ...rest].join('/');
}

function activation(ctx: Context, node: ModuleNode, input: string, scope: string, output?: string): string {
  const act = node.children.get('act');
  if (!act || act.className === 'Identity') return input;
  expectClass(act, 'SiLU');
  const sigmoid = ctx.g.op('Sigmoid', `${scope}/act`, [input]);
  return ctx.g.op('Mul', `${scope}/act`, [input, sigmoid], {}, output);
}

interface ConvGeometry {
  kernel: [number, number];
  stride: [number, number];
  padding: [number, number];
  dilation: [number, number];
  groups: number;
}

function geometry(conv: ModuleNode): ConvGeometry {
  if (attrString(conv, 'padding_mode', 'zeros') !== 'zeros') throw malformed(`${conv.path}: only zero padding is supported`);
  const stride = attrPair(conv, 'stride', 1);
  if (stride[0] !== stride[1]) throw malformed(`${conv.path}: non-square stride ${stride.join('x')}`);
  return {
    kernel: attrPair(conv, 'kernel_size'),
    stride,
    padding: attrPair(conv, 'padding', 0),
    dilation: attrPair(conv, 'dilation', 1),
    groups: attrInt(conv, 'groups', 1),
  };
}

function convAttributes(geo: ConvGeometry): Record<string, ReturnType<typeof ints>> {
  return {
    dilations: ints(geo.dilation),
    group: int(geo.groups),
    kernel_shape: ints(geo.kernel),
    pads: ints([geo.padding[0], geo.padding[1], geo.padding[0], geo.padding[1]]),
    strides: ints(geo.stride),
  };
}

/** The weight of a Conv2d with its shape checked against the input channels. */
function convWeight(ctx: Context, conv: ModuleNode, input: Feature, geo: ConvGeometry): { data: Float32Array; dims: number[] } {
  const weight = ctx.w.tensor(`${conv.path}.weight`);
  const [out, perGroup, kh, kw] = weight.dims;
  if (weight.dims.length !== 4 || perGroup * geo.groups !== input.channels || kh !== geo.kernel[0] || kw !== geo.kernel[1]) {
    throw malformed(
      `${conv.path}.weight [${weight.dims.join(', ')}] does not fit a ${input.channels}-channel input and kernel ${geo.kernel.join('x')}`,
    );
  }
  if (out % geo.groups !== 0) throw malformed(`${conv.path}: ${out} outputs in ${geo.groups} groups`);
  return weight;
}

function readBias(ctx: Context, conv: ModuleNode, out: number): Float32Array | undefined {
  return conv.tensors.has('bias') ? ctx.w.tensor(`${conv.path}.bias`, [out]).data : undefined;
}

/** Ultralytics Conv: Conv2d (bias-free) + BatchNorm2d folded in, then SiLU. */
export function emitConv(ctx: Context, path: string, input: Feature, output?: string): Feature {
  const node = ctx.w.module(path);
  expectClass(node, 'Conv');
  const conv = node.child('conv');
  expectClass(conv, 'Conv2d');
  const geo = geometry(conv);
  const weight = convWeight(ctx, conv, input, geo);
  const out = weight.dims[0];
  let fused = { weight: weight.data, bias: readBias(ctx, conv, out) ?? new Float32Array(out) };
  const bn = node.children.get('bn');
  if (bn) {
    expectClass(bn, 'BatchNorm2d');
    const vector = (name: string): Float32Array => ctx.w.tensor(`${bn.path}.${name}`, [out]).data;
    fused = foldBatchNorm(
      weight.data,
      out,
      {
        gamma: vector('weight'),
        beta: vector('bias'),
        mean: vector('running_mean'),
        variance: vector('running_var'),
        eps: attrNumber(bn, 'eps'),
      },
      readBias(ctx, conv, out),
    );
  }
  const scope = scopeOf(path);
  const w = ctx.g.floats(`${path}.conv.weight`, weight.dims, fused.weight);
  const b = ctx.g.floats(`${path}.conv.bias`, [out], fused.bias);
  const hasAct = node.children.has('act') && node.child('act').className !== 'Identity';
  const y = ctx.g.op('Conv', `${scope}/conv`, [input.name, w, b], convAttributes(geo), hasAct ? undefined : output);
  return { name: activation(ctx, node, y, scope, output), channels: out, stride: input.stride * geo.stride[0] };
}

/** A bare nn.Conv2d with bias (the last conv of each head branch). */
export function emitConv2d(ctx: Context, path: string, input: Feature): Feature {
  const conv = ctx.w.module(path);
  expectClass(conv, 'Conv2d');
  const geo = geometry(conv);
  const weight = convWeight(ctx, conv, input, geo);
  const out = weight.dims[0];
  const inputs = [input.name, ctx.g.floats(`${path}.weight`, weight.dims, weight.data)];
  const bias = readBias(ctx, conv, out);
  if (bias) inputs.push(ctx.g.floats(`${path}.bias`, [out], bias));
  const y = ctx.g.op('Conv', scopeOf(path), inputs, convAttributes(geo));
  return { name: y, channels: out, stride: input.stride * geo.stride[0] };
}

/** Splits along channels into the given sizes (Split's sizes moved from attribute to input at opset 13). */
export function emitSplit(g: Graph, scope: string, input: string, sizes: number[], axis = 1): string[] {
  if (g.opset >= 13) return g.node('Split', scope, [input, g.int64s(scope, sizes)], { axis: int(axis) }, sizes.length);
  return g.node('Split', scope, [input], { axis: int(axis), split: ints(sizes) }, sizes.length);
}

export function emitBottleneck(ctx: Context, path: string, input: Feature): Feature {
  const node = ctx.w.module(path);
  expectClass(node, 'Bottleneck');
  const y = emitConv(ctx, `${path}.cv2`, emitConv(ctx, `${path}.cv1`, input));
  if (!attrBool(node, 'add')) return y;
  if (y.channels !== input.channels) throw malformed(`${path}: shortcut between ${input.channels} and ${y.channels} channels`);
  return { ...y, name: ctx.g.op('Add', scopeOf(path), [input.name, y.name]) };
}

/** C2f: cv1, split in two halves, a chain of bottlenecks on the second, concat all, cv2. */
export function emitC2f(ctx: Context, path: string, input: Feature): { feature: Feature; repeats: number } {
  const node = ctx.w.module(path);
  expectClass(node, 'C2f');
  const hidden = attrInt(node, 'c');
  const y = emitConv(ctx, `${path}.cv1`, input);
  if (y.channels !== 2 * hidden) throw malformed(`${path}.cv1 has ${y.channels} outputs for c=${hidden}`);
  const scope = scopeOf(path);
  const parts = emitSplit(ctx.g, scope, y.name, [hidden, hidden]).map((name) => ({ ...y, name, channels: hidden }));
  const blocks = node.child('m');
  expectClass(blocks, 'ModuleList', 'Sequential');
  for (let i = 0; i < blocks.children.size; i++) parts.push(emitBottleneck(ctx, `${path}.m.${i}`, parts[parts.length - 1]));
  const joined = ctx.g.op(
    'Concat',
    scope,
    parts.map((p) => p.name),
    { axis: int(1) },
  );
  const channels = parts.reduce((sum, p) => sum + p.channels, 0);
  return { feature: emitConv(ctx, `${path}.cv2`, { name: joined, channels, stride: y.stride }), repeats: blocks.children.size };
}

/** SPPF: cv1, three chained max-pools, concat the four, cv2. */
export function emitSPPF(ctx: Context, path: string, input: Feature): Feature {
  const node = ctx.w.module(path);
  expectClass(node, 'SPPF');
  const x = emitConv(ctx, `${path}.cv1`, input);
  const pool = node.child('m');
  expectClass(pool, 'MaxPool2d');
  const kernel = attrPair(pool, 'kernel_size');
  const stride = attrPair(pool, 'stride', kernel[0]);
  const padding = attrPair(pool, 'padding', 0);
  const dilation = attrPair(pool, 'dilation', 1);
  if (stride[0] !== 1 || stride[1] !== 1 || dilation[0] !== 1 || dilation[1] !== 1 || attrBool(pool, 'ceil_mode', false)) {
    throw malformed(`${pool.path}: SPPF pooling must have stride 1, dilation 1 and no ceil_mode`);
  }
  const attributes = {
    ceil_mode: int(0),
    kernel_shape: ints(kernel),
    pads: ints([padding[0], padding[1], padding[0], padding[1]]),
    strides: ints(stride),
  };
  const outputs = [x.name];
  for (let i = 0; i < 3; i++) outputs.push(ctx.g.op('MaxPool', `${scopeOf(path)}/m`, [outputs[i]], attributes));
  const joined = ctx.g.op('Concat', scopeOf(path), outputs, { axis: int(1) });
  return emitConv(ctx, `${path}.cv2`, { name: joined, channels: 4 * x.channels, stride: x.stride });
}

function scaleFactor(node: ModuleNode): number {
  const value = node.attr('scale_factor');
  const factor = typeof value === 'number' ? value : attrPair(node, 'scale_factor')[0];
  if (!Number.isInteger(factor) || factor < 1) throw malformed(`${node.path}: upsampling by ${String(factor)} is not supported`);
  if (node.attr('size') !== null && node.attr('size') !== undefined)
    throw malformed(`${node.path}: upsampling to a fixed size is not supported`);
  return factor;
}

/** nn.Upsample(scale_factor=s, mode='nearest') as the Resize the torch exporter writes. */
export function emitUpsample(ctx: Context, path: string, input: Feature): Feature {
  const node = ctx.w.module(path);
  expectClass(node, 'Upsample');
  if (attrString(node, 'mode', 'nearest') !== 'nearest') throw malformed(`${path}: only nearest upsampling is supported`);
  const factor = scaleFactor(node);
  if (input.stride % factor !== 0) throw malformed(`${path}: upsampling a stride-${input.stride} feature by ${factor}`);
  const scope = scopeOf(path);
  const scales = ctx.g.constant(scope, [4], Float32Array.of(1, 1, factor, factor));
  // Opset 11/12 require a roi input; from 13 it may be left empty.
  const roi = ctx.g.opset >= 13 ? '' : ctx.g.constant(scope, [0], new Float32Array(0));
  const y = ctx.g.op('Resize', scope, [input.name, roi, scales], {
    coordinate_transformation_mode: str('asymmetric'),
    cubic_coeff_a: float(-0.75),
    mode: str('nearest'),
    nearest_mode: str('floor'),
  });
  return { name: y, channels: input.channels, stride: input.stride / factor };
}

export function emitConcat(ctx: Context, path: string, inputs: Feature[]): Feature {
  const node = ctx.w.module(path);
  expectClass(node, 'Concat');
  if (attrInt(node, 'd', 1) !== 1) throw malformed(`${path}: only channel concatenation is supported`);
  if (inputs.some((f) => f.stride !== inputs[0].stride)) {
    throw malformed(`${path}: concatenates features of strides ${inputs.map((f) => f.stride).join(', ')}`);
  }
  const y = ctx.g.op(
    'Concat',
    scopeOf(path),
    inputs.map((f) => f.name),
    { axis: int(1) },
  );
  return { name: y, channels: inputs.reduce((sum, f) => sum + f.channels, 0), stride: inputs[0].stride };
}
