/**
 * A graph under construction: nodes, initializers and graph inputs/outputs for our ONNX writer, plus
 * the dims of every tensor (tracked as the graph is built, so FLOPs can be counted without running it).
 * Symbolic input dims (SAM's point batch, points per prompt) are tracked at a nominal value.
 */
import type { OnnxAttributeSpec, OnnxInitializerSpec, OnnxModelSpec, OnnxNodeSpec, OnnxValueInfoSpec } from '../../lib/onnx/builder';
import { ONNX_ELEM_TYPE } from '../../lib/onnx/model-info';
import { type Init, Random, fill } from './random';
import { type Dims, numel } from './shapes';

/** A tensor of the graph: its name and its (nominal) dims. */
export interface Value {
  readonly name: string;
  readonly dims: readonly number[];
}

export type Attributes = Readonly<Record<string, OnnxAttributeSpec>>;

export const OPSET = 17;

export class SamGraph {
  readonly nodes: OnnxNodeSpec[] = [];
  readonly initializers: OnnxInitializerSpec[] = [];
  readonly inputs: OnnxValueInfoSpec[] = [];
  readonly outputs: OnnxValueInfoSpec[] = [];
  /** Dims of every value, by name. */
  readonly dims = new Map<string, readonly number[]>();
  /** Number of float weights declared (filled or not). */
  parameters = 0;
  private readonly random: Random | null;
  private readonly used = new Set<string>();

  /** `seed` null builds the structure only (weights left empty): enough to count FLOPs of huge configs. */
  constructor(seed: number | null) {
    this.random = seed === null ? null : new Random(seed);
  }

  get hasWeights(): boolean {
    return this.random !== null;
  }

  input(name: string, dims: Dims, options: { symbolic?: readonly (string | null)[]; elemType?: number } = {}): Value {
    const declared = dims.map((d, i) => options.symbolic?.[i] ?? d);
    this.inputs.push({ name, dims: declared, elemType: options.elemType ?? ONNX_ELEM_TYPE.FLOAT });
    return this.track(this.claim(name), dims);
  }

  /** Makes `value` a graph output called `name` (renaming the node output that produced it). */
  output(value: Value, name: string, symbolic?: readonly (string | null)[]): Value {
    this.claim(name);
    for (const node of this.nodes) {
      const outputs = node.outputs as string[];
      const inputs = node.inputs as string[];
      outputs.forEach((o, i) => o === value.name && (outputs[i] = name));
      inputs.forEach((o, i) => o === value.name && (inputs[i] = name));
    }
    this.dims.delete(value.name);
    this.outputs.push({ name, dims: value.dims.map((d, i) => symbolic?.[i] ?? d) });
    return this.track(name, value.dims);
  }

  /**
   * A float weight, filled from the seeded generator (empty in a structure-only graph), or with given
   * values when two graphs must share one (SAM's positional-encoding matrix).
   */
  weight(name: string, dims: Dims, init: Init | Float32Array): Value {
    const unique = this.claim(name);
    const length = numel(dims);
    this.parameters += length;
    const data = init instanceof Float32Array ? init : this.random ? fill(this.random, length, init) : new Float32Array(0);
    this.initializers.push({ name: unique, dims, dataType: 'float32', data });
    return this.track(unique, dims);
  }

  /** A float constant whose values matter (grids, scales): always stored. */
  floats(scope: string, dims: Dims, data: Float32Array): Value {
    const name = this.claim(`${scope}/const`);
    this.initializers.push({ name, dims, dataType: 'float32', data });
    return this.track(name, dims);
  }

  /** An int64 constant (shapes, indices, pads). */
  int64s(scope: string, values: readonly number[], dims: Dims = [values.length]): Value {
    const name = this.claim(`${scope}/const`);
    this.initializers.push({ name, dims, dataType: 'int64', data: values });
    return this.track(name, dims);
  }

  /** Adds a one-output node whose output has `dims` (computed by the caller from shapes.ts). */
  node(opType: string, scope: string, inputs: readonly (Value | string)[], dims: Dims, attributes: Attributes = {}): Value {
    const name = this.claim(`${scope}/${opType}`);
    const output = `${name}:0`;
    this.nodes.push({ opType, name, inputs: inputs.map((v) => (typeof v === 'string' ? v : v.name)), outputs: [output], attributes });
    return this.track(output, dims);
  }

  /** The finished model, for buildOnnxModel / buildOnnxModelParts. */
  toModel(graphName: string, metadata: Record<string, string> = {}): OnnxModelSpec {
    if (!this.hasWeights) throw new Error(`${graphName}: a structure-only graph has no weights to serialize`);
    return {
      graphName,
      producerName: 'fastsam-node scripts/sam',
      opsetImports: [{ domain: '', version: OPSET }],
      metadata,
      nodes: this.nodes,
      initializers: this.initializers,
      inputs: this.inputs,
      outputs: this.outputs,
    };
  }

  private track(name: string, dims: Dims): Value {
    this.dims.set(name, [...dims]);
    return { name, dims: [...dims] };
  }

  private claim(base: string): string {
    let name = base;
    for (let i = 1; this.used.has(name); i++) name = `${base}_${i}`;
    this.used.add(name);
    return name;
  }
}
