/**
 * The Segment head in export form (Ultralytics Detect.forward + Segment.forward with export=True):
 *   output1 = Proto(P3)                                          [B, nm, H/4, W/4]
 *   per level: cat(cv2 box branch, cv3 class branch) -> [B, 4*reg_max + nc, h*w], levels concatenated
 *   boxes: DFL (softmax over reg_max bins, expectation) -> distances -> (cx, cy, w, h) * stride
 *   output0 = cat(boxes, sigmoid(classes), mask coefficients from cv4)  [B, 4 + nc + nm, N]
 */
import { malformed } from '../checkpoint/errors';
import { type Anchors, dynamicAnchors, type Level, staticAnchors } from './anchors';
import { int, ints } from './graph';
import { type Context, emitConv, emitConv2d, emitSplit, type Feature, scopeOf } from './layers';
import { attrInt, expectClass } from './weights';

export interface HeadOptions {
  /** Fixed [H, W], or null for a dynamic export. */
  size: [number, number] | null;
}

export interface HeadInfo {
  nc: number;
  nm: number;
  strides: number[];
  /** Stride of the prototype map relative to the input (4 for YOLOv8-seg). */
  protoStride: number;
}

function branch(ctx: Context, path: string, input: Feature): Feature {
  const node = ctx.w.module(path);
  expectClass(node, 'Sequential');
  if (node.children.size !== 3) throw malformed(`${path} has ${node.children.size} layers, expected Conv, Conv, Conv2d`);
  return emitConv2d(ctx, `${path}.2`, emitConv(ctx, `${path}.1`, emitConv(ctx, `${path}.0`, input)));
}

function emitProto(ctx: Context, path: string, input: Feature, nm: number): Feature {
  expectClass(ctx.w.module(path), 'Proto');
  const x = emitConv(ctx, `${path}.cv1`, input);
  const up = ctx.w.module(`${path}.upsample`);
  expectClass(up, 'ConvTranspose2d');
  const weight = ctx.w.tensor(`${up.path}.weight`);
  const [cin, cout, kh, kw] = weight.dims;
  if (weight.dims.length !== 4 || cin !== x.channels || kh !== 2 || kw !== 2)
    throw malformed(`${up.path}.weight [${weight.dims.join(', ')}] is not a 2x2 upsampling`);
  const bias = ctx.w.tensor(`${up.path}.bias`, [cout]);
  const upsampled = ctx.g.op(
    'ConvTranspose',
    `${scopeOf(up.path)}`,
    [x.name, ctx.g.floats(`${up.path}.weight`, weight.dims, weight.data), ctx.g.floats(`${up.path}.bias`, [cout], bias.data)],
    { dilations: ints([1, 1]), group: int(1), kernel_shape: ints([2, 2]), pads: ints([0, 0, 0, 0]), strides: ints([2, 2]) },
  );
  const y = emitConv(ctx, `${path}.cv2`, { name: upsampled, channels: cout, stride: x.stride / 2 });
  const out = emitConv(ctx, `${path}.cv3`, y, 'output1');
  if (out.channels !== nm) throw malformed(`${path} makes ${out.channels} prototypes for ${nm} mask coefficients`);
  return out;
}

/** The DFL expectation: [B, 4*reg, N] logits -> [B, 4, N] distances. */
function emitDfl(ctx: Context, path: string, box: string, reg: number): string {
  const node = ctx.w.module(path);
  expectClass(node, 'DFL');
  const weight = ctx.w.tensor(`${path}.conv.weight`, [1, reg, 1, 1]);
  const scope = scopeOf(path);
  const g = ctx.g;
  const bins = g.op('Reshape', scope, [box, g.int64s(scope, [0, 4, reg, -1])]);
  if (g.opset >= 13) {
    // As exported by torch: softmax over the bin axis, then the 1x1 conv with weights 0..reg-1.
    const soft = g.op('Softmax', scope, [g.op('Transpose', scope, [bins], { perm: ints([0, 2, 1, 3]) })], { axis: int(1) });
    const conv = g.op('Conv', `${scope}/conv`, [soft, g.floats(`${path}.conv.weight`, [1, reg, 1, 1], weight.data)], {
      dilations: ints([1, 1]),
      group: int(1),
      kernel_shape: ints([1, 1]),
      pads: ints([0, 0, 0, 0]),
      strides: ints([1, 1]),
    });
    return g.op('Reshape', scope, [conv, g.int64s(scope, [0, 4, -1])]);
  }
  // Before opset 13 Softmax flattens every axis after `axis`: put the bins last and take a MatMul instead.
  const soft = g.op('Softmax', scope, [g.op('Transpose', scope, [bins], { perm: ints([0, 1, 3, 2]) })], { axis: int(3) });
  const expectation = g.op('MatMul', scope, [soft, g.floats(`${path}.conv.weight`, [reg, 1], weight.data)]);
  return g.op('Reshape', scope, [expectation, g.int64s(scope, [0, 4, -1])]);
}

/** dist2bbox(xywh=True) * strides, in the exporter's operation order. */
function decodeBoxes(ctx: Context, scope: string, distances: string, anchors: Anchors): string {
  const g = ctx.g;
  const [lt, rb] = emitSplit(g, scope, distances, [2, 2]);
  const topLeft = g.op('Sub', scope, [anchors.points, lt]);
  const bottomRight = g.op('Add', scope, [anchors.points, rb]);
  const centre = g.op('Div', scope, [g.op('Add', scope, [topLeft, bottomRight]), g.constant(scope, [], Float32Array.of(2))]);
  const size = g.op('Sub', scope, [bottomRight, topLeft]);
  return g.op('Mul', scope, [g.op('Concat', scope, [centre, size], { axis: int(1) }), anchors.strides]);
}

export function emitSegmentHead(ctx: Context, path: string, inputs: Feature[], options: HeadOptions): HeadInfo {
  const node = ctx.w.module(path);
  if (node.className === 'Detect')
    throw malformed('this is a detection model (Detect head); FastSAM needs a segmentation model (Segment head)');
  expectClass(node, 'Segment');
  const nc = attrInt(node, 'nc');
  const nm = attrInt(node, 'nm');
  const reg = attrInt(node, 'reg_max', 16);
  const nl = attrInt(node, 'nl', inputs.length);
  if (nl !== inputs.length) throw malformed(`${path} has ${nl} levels but ${inputs.length} inputs`);
  const g = ctx.g;
  const scope = scopeOf(path);

  const proto = emitProto(ctx, `${path}.proto`, inputs[0], nm);
  const coefficients = inputs.map((x, i) =>
    g.op('Reshape', scope, [branch(ctx, `${path}.cv4.${i}`, x).name, g.int64s(scope, [0, nm, -1])]),
  );
  const maskCoefficients = g.op('Concat', scope, coefficients, { axis: int(2) });

  const levels: Level[] = inputs.map((x, i) => {
    const box = branch(ctx, `${path}.cv2.${i}`, x);
    const cls = branch(ctx, `${path}.cv3.${i}`, x);
    if (box.channels !== 4 * reg || cls.channels !== nc)
      throw malformed(`${path} level ${i}: ${box.channels} box and ${cls.channels} class channels`);
    return { feature: g.op('Concat', scope, [box.name, cls.name], { axis: int(1) }), stride: x.stride };
  });
  const flat = levels.map((level) => g.op('Reshape', scope, [level.feature, g.int64s(scope, [0, 4 * reg + nc, -1])]));
  const [box, cls] = emitSplit(g, scope, g.op('Concat', scope, flat, { axis: int(2) }), [4 * reg, nc]);
  const anchors = options.size ? staticAnchors(g, scope, levels, options.size) : dynamicAnchors(g, scope, levels);
  const boxes = decodeBoxes(ctx, scope, emitDfl(ctx, `${path}.dfl`, box, reg), anchors);
  g.op('Concat', scope, [boxes, g.op('Sigmoid', scope, [cls]), maskCoefficients], { axis: int(1) }, 'output0');
  return { nc, nm, strides: inputs.map((x) => x.stride), protoStride: proto.stride };
}
