// Writes small ONNX ModelProtos from a plain description: test fixtures
// today, export work later. Only the parts of onnx.proto we need.

import { ProtoWriter, WireType, float32LittleEndian } from './protobuf';
import { ONNX_ELEM_TYPE } from './model-info';

export type OnnxTensorSpec =
  | { name?: string; dims: readonly number[]; dataType: 'float32'; data: ArrayLike<number> }
  | { name?: string; dims: readonly number[]; dataType: 'int64'; data: ArrayLike<number | bigint> };

export type OnnxInitializerSpec = OnnxTensorSpec & { name: string };

/** Attribute values are tagged so 1 (int) and 1.0 (float) cannot be confused. */
export type OnnxAttributeSpec =
  | { type: 'float'; value: number }
  | { type: 'int'; value: number | bigint }
  | { type: 'string'; value: string }
  | { type: 'tensor'; value: OnnxTensorSpec }
  | { type: 'floats'; value: readonly number[] }
  | { type: 'ints'; value: readonly (number | bigint)[] };

export interface OnnxNodeSpec {
  opType: string;
  inputs: readonly string[];
  outputs: readonly string[];
  name?: string;
  domain?: string;
  attributes?: Readonly<Record<string, OnnxAttributeSpec>>;
}

export interface OnnxValueInfoSpec {
  name: string;
  /** TensorProto.DataType; defaults to FLOAT. */
  elemType?: number;
  /** Numbers are dim_value, strings are dim_param (symbolic). */
  dims: readonly (number | string)[];
}

export interface OnnxOpsetSpec {
  /** '' is the default ai.onnx domain. */
  domain?: string;
  version: number;
}

export interface OnnxModelSpec {
  /** Defaults to 8 (ONNX 1.10+), which every current runtime reads. */
  irVersion?: number;
  producerName?: string;
  producerVersion?: string;
  /** Defaults to the default domain at opset 17. */
  opsetImports?: readonly OnnxOpsetSpec[];
  metadata?: Readonly<Record<string, string>>;
  graphName?: string;
  nodes: readonly OnnxNodeSpec[];
  initializers?: readonly OnnxInitializerSpec[];
  inputs: readonly OnnxValueInfoSpec[];
  outputs: readonly OnnxValueInfoSpec[];
}

// Field numbers from onnx.proto, one table per message.
const MODEL = { irVersion: 1, producerName: 2, producerVersion: 3, graph: 7, opsetImport: 8, metadataProps: 14 };
const OPSET = { domain: 1, version: 2 };
const ENTRY = { key: 1, value: 2 };
const GRAPH = { node: 1, name: 2, initializer: 5, input: 11, output: 12 };
const NODE = { input: 1, output: 2, name: 3, opType: 4, attribute: 5, domain: 7 };
const ATTRIBUTE = { name: 1, f: 2, i: 3, s: 4, t: 5, floats: 7, ints: 8, type: 20 };
const TENSOR = { dims: 1, dataType: 2, int64Data: 7, name: 8, rawData: 9 };
const VALUE_INFO = { name: 1, type: 2 };
const TYPE = { tensorType: 1 };
const TENSOR_TYPE = { elemType: 1, shape: 2 };
const SHAPE = { dim: 1 };
const DIM = { value: 1, param: 2 };

// AttributeProto.AttributeType values.
const ATTRIBUTE_TYPE: Record<OnnxAttributeSpec['type'], number> = {
  float: 1,
  int: 2,
  string: 3,
  tensor: 4,
  floats: 6,
  ints: 7,
};

const DEFAULT_IR_VERSION = 8;
const DEFAULT_OPSETS: readonly OnnxOpsetSpec[] = [{ domain: '', version: 17 }];

/** Serializes a model description to ONNX protobuf bytes. */
export function buildOnnxModel(spec: OnnxModelSpec): Uint8Array {
  const w = new ProtoWriter();
  w.writeVarintField(MODEL.irVersion, spec.irVersion ?? DEFAULT_IR_VERSION);
  w.writeStringField(MODEL.producerName, spec.producerName ?? 'fastsam-node');
  if (spec.producerVersion !== undefined) w.writeStringField(MODEL.producerVersion, spec.producerVersion);
  w.writeMessageField(MODEL.graph, (g) => writeGraph(g, spec));
  for (const opset of spec.opsetImports ?? DEFAULT_OPSETS) {
    w.writeMessageField(MODEL.opsetImport, (o) => writeOpset(o, opset));
  }
  for (const [key, value] of Object.entries(spec.metadata ?? {})) {
    w.writeMessageField(MODEL.metadataProps, (e) => writeEntry(e, key, value));
  }
  return w.finish();
}

function writeOpset(w: ProtoWriter, opset: OnnxOpsetSpec): void {
  w.writeStringField(OPSET.domain, opset.domain ?? '');
  w.writeVarintField(OPSET.version, opset.version);
}

function writeEntry(w: ProtoWriter, key: string, value: string): void {
  w.writeStringField(ENTRY.key, key);
  w.writeStringField(ENTRY.value, value);
}

function writeGraph(w: ProtoWriter, spec: OnnxModelSpec): void {
  for (const node of spec.nodes) w.writeMessageField(GRAPH.node, (n) => writeNode(n, node));
  w.writeStringField(GRAPH.name, spec.graphName ?? 'graph');
  for (const init of spec.initializers ?? []) {
    w.writeMessageField(GRAPH.initializer, (t) => writeTensor(t, init));
  }
  for (const input of spec.inputs) w.writeMessageField(GRAPH.input, (v) => writeValueInfo(v, input));
  for (const output of spec.outputs) w.writeMessageField(GRAPH.output, (v) => writeValueInfo(v, output));
}

function writeNode(w: ProtoWriter, node: OnnxNodeSpec): void {
  for (const input of node.inputs) w.writeStringField(NODE.input, input);
  for (const output of node.outputs) w.writeStringField(NODE.output, output);
  if (node.name !== undefined) w.writeStringField(NODE.name, node.name);
  w.writeStringField(NODE.opType, node.opType);
  for (const [name, attr] of Object.entries(node.attributes ?? {})) {
    w.writeMessageField(NODE.attribute, (a) => writeAttribute(a, name, attr));
  }
  if (node.domain !== undefined) w.writeStringField(NODE.domain, node.domain);
}

function writeAttribute(w: ProtoWriter, name: string, attr: OnnxAttributeSpec): void {
  w.writeStringField(ATTRIBUTE.name, name);
  w.writeVarintField(ATTRIBUTE.type, ATTRIBUTE_TYPE[attr.type]);
  switch (attr.type) {
    case 'float':
      w.writeFloatField(ATTRIBUTE.f, attr.value);
      return;
    case 'int':
      w.writeVarintField(ATTRIBUTE.i, attr.value);
      return;
    case 'string':
      w.writeStringField(ATTRIBUTE.s, attr.value);
      return;
    case 'tensor':
      w.writeMessageField(ATTRIBUTE.t, (t) => writeTensor(t, attr.value));
      return;
    case 'floats':
      w.writePackedFloats(ATTRIBUTE.floats, attr.value);
      return;
    case 'ints':
      w.writePackedInt64s(ATTRIBUTE.ints, attr.value);
      return;
  }
}

// Floats go to raw_data (little-endian, as ONNX requires); int64s to packed int64_data.
function writeTensor(w: ProtoWriter, tensor: OnnxTensorSpec): void {
  checkElementCount(tensor);
  if (tensor.dims.length > 0) w.writePackedInt64s(TENSOR.dims, tensor.dims);
  if (tensor.dataType === 'float32') {
    w.writeVarintField(TENSOR.dataType, ONNX_ELEM_TYPE.FLOAT);
    if (tensor.name !== undefined) w.writeStringField(TENSOR.name, tensor.name);
    w.writeBytesField(TENSOR.rawData, float32LittleEndian(tensor.data));
  } else {
    w.writeVarintField(TENSOR.dataType, ONNX_ELEM_TYPE.INT64);
    w.writePackedInt64s(TENSOR.int64Data, tensor.data);
    if (tensor.name !== undefined) w.writeStringField(TENSOR.name, tensor.name);
  }
}

function checkElementCount(tensor: OnnxTensorSpec): void {
  const expected = tensor.dims.reduce((n, d) => n * d, 1);
  if (tensor.data.length !== expected) {
    const label = tensor.name ?? '(unnamed)';
    throw new RangeError(`tensor ${label}: dims [${tensor.dims.join(', ')}] need ${expected} values, got ${tensor.data.length}`);
  }
}

function writeValueInfo(w: ProtoWriter, info: OnnxValueInfoSpec): void {
  w.writeStringField(VALUE_INFO.name, info.name);
  w.writeMessageField(VALUE_INFO.type, (type) =>
    type.writeMessageField(TYPE.tensorType, (tensorType) => {
      tensorType.writeVarintField(TENSOR_TYPE.elemType, info.elemType ?? ONNX_ELEM_TYPE.FLOAT);
      tensorType.writeMessageField(TENSOR_TYPE.shape, (shape) => writeShape(shape, info.dims));
    }),
  );
}

function writeShape(w: ProtoWriter, dims: readonly (number | string)[]): void {
  for (const dim of dims) {
    w.writeMessageField(SHAPE.dim, (d) => {
      if (typeof dim === 'number') d.writeVarintField(DIM.value, dim);
      else d.writeStringField(DIM.param, dim);
    });
  }
}

// ---------------------------------------------------------------------------------------------------
// Chunked output for big models (additive): the same bytes as buildOnnxModel, but float32 initializers
// are referenced as views instead of being copied through nested writers, so a 300 MB model costs one
// copy of its weights, not five.

const LITTLE_ENDIAN_HOST = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

class PartList {
  readonly parts: Uint8Array[] = [];
  byteLength = 0;

  push(bytes: Uint8Array): void {
    this.parts.push(bytes);
    this.byteLength += bytes.length;
  }

  /** `field` as a length-delimited message made of `inner`. */
  pushMessage(field: number, inner: PartList): void {
    this.push(new ProtoWriter().writeTag(field, WireType.LengthDelimited).writeRawVarint(inner.byteLength).finish());
    for (const part of inner.parts) this.push(part);
  }

  pushWriter(build: (w: ProtoWriter) => void): void {
    const w = new ProtoWriter();
    build(w);
    this.push(w.finish());
  }
}

function float32Bytes(data: ArrayLike<number>): Uint8Array {
  if (LITTLE_ENDIAN_HOST && data instanceof Float32Array) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return float32LittleEndian(data);
}

// Field order matches writeTensor exactly.
function tensorParts(tensor: OnnxTensorSpec): PartList {
  const parts = new PartList();
  if (tensor.dataType !== 'float32') {
    parts.pushWriter((w) => writeTensor(w, tensor));
    return parts;
  }
  checkElementCount(tensor);
  const raw = float32Bytes(tensor.data);
  parts.pushWriter((w) => {
    if (tensor.dims.length > 0) w.writePackedInt64s(TENSOR.dims, tensor.dims);
    w.writeVarintField(TENSOR.dataType, ONNX_ELEM_TYPE.FLOAT);
    if (tensor.name !== undefined) w.writeStringField(TENSOR.name, tensor.name);
    w.writeTag(TENSOR.rawData, WireType.LengthDelimited).writeRawVarint(raw.length);
  });
  parts.push(raw);
  return parts;
}

function graphParts(spec: OnnxModelSpec): PartList {
  const parts = new PartList();
  parts.pushWriter((g) => {
    for (const node of spec.nodes) g.writeMessageField(GRAPH.node, (n) => writeNode(n, node));
    g.writeStringField(GRAPH.name, spec.graphName ?? 'graph');
  });
  for (const init of spec.initializers ?? []) parts.pushMessage(GRAPH.initializer, tensorParts(init));
  parts.pushWriter((g) => {
    for (const input of spec.inputs) g.writeMessageField(GRAPH.input, (v) => writeValueInfo(v, input));
    for (const output of spec.outputs) g.writeMessageField(GRAPH.output, (v) => writeValueInfo(v, output));
  });
  return parts;
}

/** buildOnnxModel's bytes as a list of chunks (concatenate or write them in order). */
export function buildOnnxModelParts(spec: OnnxModelSpec): Uint8Array[] {
  const parts = new PartList();
  parts.pushWriter((w) => {
    w.writeVarintField(MODEL.irVersion, spec.irVersion ?? DEFAULT_IR_VERSION);
    w.writeStringField(MODEL.producerName, spec.producerName ?? 'fastsam-node');
    if (spec.producerVersion !== undefined) w.writeStringField(MODEL.producerVersion, spec.producerVersion);
  });
  parts.pushMessage(MODEL.graph, graphParts(spec));
  parts.pushWriter((w) => {
    for (const opset of spec.opsetImports ?? DEFAULT_OPSETS) w.writeMessageField(MODEL.opsetImport, (o) => writeOpset(o, opset));
    for (const [key, value] of Object.entries(spec.metadata ?? {}))
      w.writeMessageField(MODEL.metadataProps, (e) => writeEntry(e, key, value));
  });
  return parts.parts;
}
