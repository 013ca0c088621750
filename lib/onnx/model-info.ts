// Reads an ONNX model's header (versions, metadata, graph inputs/outputs)
// straight from the protobuf bytes. Weights and nodes are jumped over, so a
// 50 MB model costs a few milliseconds and no copies.

import { ProtoReader, WireType } from './protobuf';
import type { ProtoTag } from './protobuf';

export interface OnnxValueInfo {
  name: string;
  /** TensorProto.DataType (see ONNX_ELEM_TYPE); 0 when not a tensor type. */
  elemType: number;
  /** dim_value, or dim_param string, or '?' when neither. Empty when no shape is given. */
  dims: (number | string)[];
}

export interface OnnxModelInfo {
  irVersion: number;
  producerName: string;
  producerVersion: string;
  /** Version of the default domain ('' or 'ai.onnx'); 0 when not declared. */
  opsetVersion: number;
  /** metadata_props as a plain record (later duplicates win). */
  metadata: Record<string, string>;
  /** Graph inputs that are not initializers: what a caller must feed. */
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
}

/** TensorProto.DataType values from onnx.proto. */
export const ONNX_ELEM_TYPE = {
  UNDEFINED: 0,
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  UINT16: 4,
  INT16: 5,
  INT32: 6,
  INT64: 7,
  STRING: 8,
  BOOL: 9,
  FLOAT16: 10,
  DOUBLE: 11,
  UINT32: 12,
  UINT64: 13,
  BFLOAT16: 16,
} as const;

// Field numbers from onnx.proto, one table per message.
const MODEL = { irVersion: 1, producerName: 2, producerVersion: 3, graph: 7, opsetImport: 8, metadataProps: 14 };
const OPSET = { domain: 1, version: 2 };
const ENTRY = { key: 1, value: 2 };
const GRAPH = { initializer: 5, input: 11, output: 12, sparseInitializer: 15 };
const TENSOR = { name: 8 };
const SPARSE_TENSOR = { values: 1 };
const VALUE_INFO = { name: 1, type: 2 };
const TYPE = { tensorType: 1 };
const TENSOR_TYPE = { elemType: 1, shape: 2 };
const SHAPE = { dim: 1 };
const DIM = { value: 1, param: 2 };

interface GraphInfo {
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  initializerNames: Set<string>;
}

/** Parses the header of an ONNX ModelProto; throws a plain Error if the bytes are not one. */
export function readOnnxModelInfo(bytes: Uint8Array): OnnxModelInfo {
  try {
    return parseModel(new ProtoReader(bytes));
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(`Not a valid ONNX model (${bytes.length} bytes): ${reason}`, { cause: err });
  }
}

function parseModel(r: ProtoReader): OnnxModelInfo {
  let irVersion: number | undefined;
  let producerName = '';
  let producerVersion = '';
  let opsetVersion = 0;
  const metadata: Record<string, string> = {};
  let graph: GraphInfo | undefined;

  while (!r.done) {
    const tag = r.readTag();
    switch (tag.field) {
      case MODEL.irVersion:
        expectWire(tag, WireType.Varint, 'ModelProto.ir_version');
        irVersion = r.readInt64();
        break;
      case MODEL.producerName:
        expectWire(tag, WireType.LengthDelimited, 'ModelProto.producer_name');
        producerName = r.readString();
        break;
      case MODEL.producerVersion:
        expectWire(tag, WireType.LengthDelimited, 'ModelProto.producer_version');
        producerVersion = r.readString();
        break;
      case MODEL.opsetImport: {
        expectWire(tag, WireType.LengthDelimited, 'ModelProto.opset_import');
        const opset = parseOpset(r.readMessage());
        if (opset.domain === '' || opset.domain === 'ai.onnx') opsetVersion = opset.version;
        break;
      }
      case MODEL.metadataProps: {
        expectWire(tag, WireType.LengthDelimited, 'ModelProto.metadata_props');
        const entry = parseEntry(r.readMessage());
        metadata[entry.key] = entry.value;
        break;
      }
      case MODEL.graph:
        expectWire(tag, WireType.LengthDelimited, 'ModelProto.graph');
        graph = parseGraph(r.readMessage());
        break;
      default:
        r.skip(tag.wireType, tag.field);
    }
  }

  if (irVersion === undefined) throw new Error('no ir_version field');
  if (graph === undefined) throw new Error('no graph field');
  const { initializerNames } = graph;
  return {
    irVersion,
    producerName,
    producerVersion,
    opsetVersion,
    metadata,
    inputs: graph.inputs.filter((input) => !initializerNames.has(input.name)),
    outputs: graph.outputs,
  };
}

function expectWire(tag: ProtoTag, wireType: WireType, what: string): void {
  if (tag.wireType !== wireType) {
    throw new Error(`${what} has wire type ${tag.wireType}, expected ${wireType}`);
  }
}

function parseOpset(r: ProtoReader): { domain: string; version: number } {
  let domain = '';
  let version = 0;
  while (!r.done) {
    const tag = r.readTag();
    if (tag.field === OPSET.domain) {
      expectWire(tag, WireType.LengthDelimited, 'OperatorSetIdProto.domain');
      domain = r.readString();
    } else if (tag.field === OPSET.version) {
      expectWire(tag, WireType.Varint, 'OperatorSetIdProto.version');
      version = r.readInt64();
    } else {
      r.skip(tag.wireType, tag.field);
    }
  }
  return { domain, version };
}

function parseEntry(r: ProtoReader): { key: string; value: string } {
  let key = '';
  let value = '';
  while (!r.done) {
    const tag = r.readTag();
    if (tag.field === ENTRY.key) {
      expectWire(tag, WireType.LengthDelimited, 'StringStringEntryProto.key');
      key = r.readString();
    } else if (tag.field === ENTRY.value) {
      expectWire(tag, WireType.LengthDelimited, 'StringStringEntryProto.value');
      value = r.readString();
    } else {
      r.skip(tag.wireType, tag.field);
    }
  }
  return { key, value };
}

// Nodes are skipped whole; initializers are only scanned for their names.
function parseGraph(r: ProtoReader): GraphInfo {
  const graph: GraphInfo = { inputs: [], outputs: [], initializerNames: new Set() };
  while (!r.done) {
    const tag = r.readTag();
    switch (tag.field) {
      case GRAPH.input:
        expectWire(tag, WireType.LengthDelimited, 'GraphProto.input');
        graph.inputs.push(parseValueInfo(r.readMessage()));
        break;
      case GRAPH.output:
        expectWire(tag, WireType.LengthDelimited, 'GraphProto.output');
        graph.outputs.push(parseValueInfo(r.readMessage()));
        break;
      case GRAPH.initializer:
        expectWire(tag, WireType.LengthDelimited, 'GraphProto.initializer');
        addName(graph.initializerNames, tensorName(r.readMessage()));
        break;
      case GRAPH.sparseInitializer:
        expectWire(tag, WireType.LengthDelimited, 'GraphProto.sparse_initializer');
        addName(graph.initializerNames, sparseTensorName(r.readMessage()));
        break;
      default:
        r.skip(tag.wireType, tag.field);
    }
  }
  return graph;
}

function addName(names: Set<string>, name: string | undefined): void {
  if (name !== undefined) names.add(name);
}

// Walks a TensorProto's fields, jumping over raw_data and other payloads.
function tensorName(r: ProtoReader): string | undefined {
  let name: string | undefined;
  while (!r.done) {
    const tag = r.readTag();
    if (tag.field === TENSOR.name) {
      expectWire(tag, WireType.LengthDelimited, 'TensorProto.name');
      name = r.readString();
    } else {
      r.skip(tag.wireType, tag.field);
    }
  }
  return name;
}

function sparseTensorName(r: ProtoReader): string | undefined {
  let name: string | undefined;
  while (!r.done) {
    const tag = r.readTag();
    if (tag.field === SPARSE_TENSOR.values) {
      expectWire(tag, WireType.LengthDelimited, 'SparseTensorProto.values');
      name = tensorName(r.readMessage());
    } else {
      r.skip(tag.wireType, tag.field);
    }
  }
  return name;
}

function parseValueInfo(r: ProtoReader): OnnxValueInfo {
  const info: OnnxValueInfo = { name: '', elemType: 0, dims: [] };
  while (!r.done) {
    const tag = r.readTag();
    if (tag.field === VALUE_INFO.name) {
      expectWire(tag, WireType.LengthDelimited, 'ValueInfoProto.name');
      info.name = r.readString();
    } else if (tag.field === VALUE_INFO.type) {
      expectWire(tag, WireType.LengthDelimited, 'ValueInfoProto.type');
      parseType(r.readMessage(), info);
    } else {
      r.skip(tag.wireType, tag.field);
    }
  }
  return info;
}

// Only tensor types are described; sequences/maps keep elemType 0 and no dims.
function parseType(r: ProtoReader, info: OnnxValueInfo): void {
  while (!r.done) {
    const tag = r.readTag();
    if (tag.field === TYPE.tensorType) {
      expectWire(tag, WireType.LengthDelimited, 'TypeProto.tensor_type');
      parseTensorType(r.readMessage(), info);
    } else {
      r.skip(tag.wireType, tag.field);
    }
  }
}

function parseTensorType(r: ProtoReader, info: OnnxValueInfo): void {
  while (!r.done) {
    const tag = r.readTag();
    if (tag.field === TENSOR_TYPE.elemType) {
      expectWire(tag, WireType.Varint, 'TypeProto.Tensor.elem_type');
      info.elemType = r.readInt64();
    } else if (tag.field === TENSOR_TYPE.shape) {
      expectWire(tag, WireType.LengthDelimited, 'TypeProto.Tensor.shape');
      info.dims = parseShape(r.readMessage());
    } else {
      r.skip(tag.wireType, tag.field);
    }
  }
}

function parseShape(r: ProtoReader): (number | string)[] {
  const dims: (number | string)[] = [];
  while (!r.done) {
    const tag = r.readTag();
    if (tag.field === SHAPE.dim) {
      expectWire(tag, WireType.LengthDelimited, 'TensorShapeProto.dim');
      dims.push(parseDim(r.readMessage()));
    } else {
      r.skip(tag.wireType, tag.field);
    }
  }
  return dims;
}

function parseDim(r: ProtoReader): number | string {
  let dim: number | string = '?';
  while (!r.done) {
    const tag = r.readTag();
    if (tag.field === DIM.value) {
      expectWire(tag, WireType.Varint, 'Dimension.dim_value');
      dim = r.readInt64();
    } else if (tag.field === DIM.param) {
      expectWire(tag, WireType.LengthDelimited, 'Dimension.dim_param');
      dim = r.readString();
    } else {
      r.skip(tag.wireType, tag.field);
    }
  }
  return dim;
}
