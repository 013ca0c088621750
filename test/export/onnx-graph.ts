/** Test helper: the nodes and float initializers of an ONNX model (what model-info.ts skips). */
import { ProtoReader } from '../../lib/onnx/protobuf';

export interface GraphNode {
  opType: string;
  inputs: string[];
  outputs: string[];
}

export interface GraphContents {
  nodes: GraphNode[];
  /** float32 initializers by name (raw_data only). */
  floats: Map<string, { dims: number[]; data: Float32Array }>;
}

function readNode(r: ProtoReader): GraphNode {
  const node: GraphNode = { opType: '', inputs: [], outputs: [] };
  while (!r.done) {
    const tag = r.readTag();
    if (tag.field === 1) node.inputs.push(r.readString());
    else if (tag.field === 2) node.outputs.push(r.readString());
    else if (tag.field === 4) node.opType = r.readString();
    else r.skip(tag.wireType, tag.field);
  }
  return node;
}

function readTensor(r: ProtoReader): { name: string; dims: number[]; dataType: number; raw?: Uint8Array } {
  const t: { name: string; dims: number[]; dataType: number; raw?: Uint8Array } = { name: '', dims: [], dataType: 0 };
  while (!r.done) {
    const tag = r.readTag();
    if (tag.field === 1) {
      if (tag.wireType === 2) t.dims.push(...r.readPackedInt64s());
      else t.dims.push(r.readInt64());
    } else if (tag.field === 2) t.dataType = r.readInt64();
    else if (tag.field === 8) t.name = r.readString();
    else if (tag.field === 9) t.raw = r.readBytes();
    else r.skip(tag.wireType, tag.field);
  }
  return t;
}

export function readGraph(bytes: Uint8Array): GraphContents {
  const out: GraphContents = { nodes: [], floats: new Map() };
  const model = new ProtoReader(bytes);
  while (!model.done) {
    const tag = model.readTag();
    if (tag.field !== 7) {
      model.skip(tag.wireType, tag.field);
      continue;
    }
    const graph = model.readMessage();
    while (!graph.done) {
      const g = graph.readTag();
      if (g.field === 1) out.nodes.push(readNode(graph.readMessage()));
      else if (g.field === 5) {
        const t = readTensor(graph.readMessage());
        if (t.dataType === 1 && t.raw) {
          const copy = new Uint8Array(t.raw);
          out.floats.set(t.name, { dims: t.dims, data: new Float32Array(copy.buffer, 0, copy.length / 4) });
        }
      } else graph.skip(g.wireType, g.field);
    }
  }
  return out;
}

/** Op type -> count. */
export function opCounts(nodes: GraphNode[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const node of nodes) counts[node.opType] = (counts[node.opType] ?? 0) + 1;
  return counts;
}
