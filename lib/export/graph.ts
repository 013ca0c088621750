/**
 * Collects ONNX nodes and initializers with torch-exporter-style names ('/model.2/cv1/conv/Conv',
 * '/model.2/cv1/conv/Conv_output_0'), so an exported graph reads like an Ultralytics one in Netron.
 */
import type { OnnxAttributeSpec, OnnxInitializerSpec, OnnxNodeSpec } from '../onnx/builder';

export type Attributes = Readonly<Record<string, OnnxAttributeSpec>>;

export const ints = (value: readonly number[]): OnnxAttributeSpec => ({ type: 'ints', value });
export const int = (value: number): OnnxAttributeSpec => ({ type: 'int', value });
export const float = (value: number): OnnxAttributeSpec => ({ type: 'float', value });
export const str = (value: string): OnnxAttributeSpec => ({ type: 'string', value });

export class Graph {
  readonly nodes: OnnxNodeSpec[] = [];
  readonly initializers: OnnxInitializerSpec[] = [];
  private readonly used = new Set<string>();

  constructor(readonly opset: number) {}

  /** Adds `scope/op` and returns its outputs; `outputs` names them explicitly (graph outputs). */
  node(
    opType: string,
    scope: string,
    inputs: readonly string[],
    attributes: Attributes = {},
    outputs: number | readonly string[] = 1,
  ): string[] {
    const name = this.unique(`${scope}/${opType}`);
    const outputNames = typeof outputs === 'number' ? Array.from({ length: outputs }, (_, i) => `${name}_output_${i}`) : [...outputs];
    this.nodes.push({ opType, name, inputs, outputs: outputNames, attributes });
    return outputNames;
  }

  /** One-output node. */
  op(opType: string, scope: string, inputs: readonly string[], attributes: Attributes = {}, output?: string): string {
    return this.node(opType, scope, inputs, attributes, output === undefined ? 1 : [output])[0];
  }

  /** A float32 initializer (weights keep their state-dict names). */
  floats(name: string, dims: readonly number[], data: Float32Array): string {
    const unique = this.unique(name);
    this.initializers.push({ name: unique, dims, dataType: 'float32', data });
    return unique;
  }

  /** An int64 initializer (shapes, split sizes). */
  int64s(scope: string, values: readonly number[]): string {
    const name = this.unique(`${scope}/Constant_output`);
    this.initializers.push({ name, dims: [values.length], dataType: 'int64', data: values });
    return name;
  }

  /** A float32 constant for arithmetic (anchors, scales). */
  constant(scope: string, dims: readonly number[], data: Float32Array): string {
    return this.floats(`${scope}/Constant_output`, dims, data);
  }

  private unique(base: string): string {
    let name = base;
    for (let i = 1; this.used.has(name); i++) name = `${base}_${i}`;
    this.used.add(name);
    return name;
  }
}
