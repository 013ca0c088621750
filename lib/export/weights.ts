/**
 * The network's modules and tensors as the exporter reads them: module attributes with type checks, and
 * float32 weights by state-dict name with their shapes checked. Every tensor read is ticked off, so a
 * checkpoint with weights the architecture does not explain is refused instead of silently half-used.
 */
import type { Checkpoint } from '../checkpoint/checkpoint';
import { malformed } from '../checkpoint/errors';
import { moduleTree, type ModuleNode, stateDict } from '../checkpoint/modules';
import { PyList, PyTensor, PyTuple, type PyValue, typeName } from '../checkpoint/py-values';

export interface Tensor {
  dims: number[];
  data: Float32Array;
}

/** Buffers that only matter to training or are recomputed (anchors, strides). */
const IGNORED_TENSOR = /(^|\.)num_batches_tracked$/;

export class Weights {
  readonly root: ModuleNode;
  private readonly all: Map<string, PyTensor>;
  private readonly read = new Set<string>();

  constructor(private readonly checkpoint: Checkpoint) {
    this.root = moduleTree(checkpoint.model());
    this.all = stateDict(this.root);
  }

  module(path: string): ModuleNode {
    return this.root.at(path);
  }

  has(name: string): boolean {
    return this.all.has(name);
  }

  /** A tensor's shape, without reading it. */
  shape(name: string): number[] {
    const t = this.all.get(name);
    if (!t) throw malformed(`the checkpoint has no weight '${name}'`);
    return [...t.size];
  }

  /** A tensor by state-dict name, widened to float32; `dims` (when given) must match. */
  tensor(name: string, dims?: readonly number[]): Tensor {
    const t = this.all.get(name);
    if (!t) throw malformed(`the checkpoint has no weight '${name}'`);
    if (dims && (dims.length !== t.size.length || dims.some((d, i) => d !== t.size[i]))) {
      throw malformed(`weight '${name}' has shape [${t.size.join(', ')}], expected [${dims.join(', ')}]`);
    }
    this.read.add(name);
    return { dims: [...t.size], data: this.checkpoint.float32(t, name) };
  }

  /** Weights nobody read (besides training-only buffers). */
  unread(): string[] {
    return [...this.all.keys()].filter((name) => !this.read.has(name) && !IGNORED_TENSOR.test(name));
  }

  /** A non-parameter tensor attribute (e.g. the model's stride). */
  attributeTensor(node: ModuleNode, name: string): Float32Array | undefined {
    const value = node.attr(name);
    return value instanceof PyTensor ? this.checkpoint.float32(value, `${node.path}.${name}`) : undefined;
  }
}

function where(node: ModuleNode, name: string): string {
  return `${node.path || 'model'}.${name}`;
}

export function attrInt(node: ModuleNode, name: string, fallback?: number): number {
  const value = node.attr(name);
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  if (typeof value === 'boolean') return Number(value);
  throw malformed(`${where(node, name)} is a ${typeName(value)}, expected an integer`);
}

export function attrNumber(node: ModuleNode, name: string, fallback?: number): number {
  const value = node.attr(name);
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  throw malformed(`${where(node, name)} is a ${typeName(value)}, expected a number`);
}

export function attrBool(node: ModuleNode, name: string, fallback?: boolean): boolean {
  const value = node.attr(name);
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value === 'boolean') return value;
  throw malformed(`${where(node, name)} is a ${typeName(value)}, expected a bool`);
}

export function attrString(node: ModuleNode, name: string, fallback?: string): string {
  const value = node.attr(name);
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value === 'string') return value;
  throw malformed(`${where(node, name)} is a ${typeName(value)}, expected a string`);
}

/** An int or an int pair (torch stores kernel_size=(3, 3), MaxPool2d stores 5). */
export function attrPair(node: ModuleNode, name: string, fallback?: number): [number, number] {
  const value: PyValue | undefined = node.attr(name);
  if (value === undefined && fallback !== undefined) return [fallback, fallback];
  if (typeof value === 'number' && Number.isSafeInteger(value)) return [value, value];
  if ((value instanceof PyTuple || value instanceof PyList) && value.items.length === 2) {
    const [a, b] = value.items;
    if (typeof a === 'number' && typeof b === 'number' && Number.isSafeInteger(a) && Number.isSafeInteger(b)) return [a, b];
  }
  throw malformed(`${where(node, name)} is a ${typeName(value)}, expected an integer or a pair`);
}

/** Checks a module's class against what the architecture expects there. */
export function expectClass(node: ModuleNode, ...names: string[]): void {
  if (!names.includes(node.className)) {
    throw malformed(`${node.path || 'model'} is a ${node.qualifiedClassName}, expected ${names.join(' or ')}`);
  }
}
