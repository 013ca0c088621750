/**
 * A read-only view of a pickled torch.nn.Module tree: each module's class, plain attributes, children
 * (`_modules`) and tensors (`_parameters`, persistent `_buffers`), addressed by state-dict paths such as
 * 'model.22.cv2.0.1.conv.weight'. Cycles and absurd depth in a hostile file are refused.
 */
import { malformed } from './errors';
import { PyDict, PyObject, PySet, PyTensor, type PyValue, typeName } from './py-values';

const MAX_DEPTH = 32;
// A shared submodule is legal; a file that shares them to blow the tree up exponentially is not.
const MAX_MODULES = 100_000;

export class ModuleNode {
  readonly children = new Map<string, ModuleNode>();
  readonly tensors = new Map<string, PyTensor>();

  constructor(
    /** State-dict prefix ('' for the root). */
    readonly path: string,
    readonly object: PyObject,
  ) {}

  /** The class name without its module ('Conv2d', 'C2f'). */
  get className(): string {
    return this.object.cls.name;
  }

  get qualifiedClassName(): string {
    return this.object.cls.qualifiedName;
  }

  attr(name: string): PyValue | undefined {
    return this.object.attrs.get(name);
  }

  child(name: string): ModuleNode {
    const node = this.children.get(name);
    if (!node) throw malformed(`module ${this.path || '(root)'} has no submodule '${name}'`);
    return node;
  }

  /** The child at a dotted path ('cv2.0.1'). */
  at(path: string): ModuleNode {
    return path.split('.').reduce<ModuleNode>((node, part) => node.child(part), this);
  }

  tensor(name: string): PyTensor {
    const t = this.tensors.get(name);
    if (!t) throw malformed(`module ${this.path || '(root)'} has no tensor '${name}'`);
    return t;
  }
}

function dictOf(node: PyObject, key: string, path: string): PyDict {
  const value = node.attrs.get(key);
  if (value === undefined) return new PyDict();
  if (!(value instanceof PyDict)) throw malformed(`module ${path || '(root)'}: ${key} is a ${typeName(value)}`);
  return value;
}

function nonPersistent(node: PyObject): Set<string> {
  const value = node.attrs.get('_non_persistent_buffers_set');
  const names = new Set<string>();
  if (value instanceof PySet) for (const item of value.items) if (typeof item === 'string') names.add(item);
  return names;
}

function join(prefix: string, name: string): string {
  return prefix ? `${prefix}.${name}` : name;
}

interface WalkState {
  active: Set<PyObject>;
  count: number;
}

function walk(object: PyObject, path: string, depth: number, state: WalkState): ModuleNode {
  const { active } = state;
  if (depth > MAX_DEPTH) throw malformed(`module tree deeper than ${MAX_DEPTH} at ${path}`);
  if (++state.count > MAX_MODULES) throw malformed(`module tree has more than ${MAX_MODULES} modules`);
  if (active.has(object)) throw malformed(`module tree has a cycle at ${path}`);
  if (object.cls.rule.kind !== 'module') throw malformed(`${path || '(root)'} is a ${typeName(object)}, not a module`);
  active.add(object);
  const node = new ModuleNode(path, object);
  const skip = nonPersistent(object);
  for (const key of ['_parameters', '_buffers']) {
    for (const [name, value] of dictOf(object, key, path).entries()) {
      if (typeof name !== 'string' || value === null || skip.has(name)) continue;
      if (!(value instanceof PyTensor)) throw malformed(`${join(path, name)} is a ${typeName(value)}, not a tensor`);
      node.tensors.set(name, value);
    }
  }
  for (const [name, value] of dictOf(object, '_modules', path).entries()) {
    if (typeof name !== 'string') throw malformed(`module ${path} has a submodule named by a ${typeName(name)}`);
    if (value === null) continue;
    if (!(value instanceof PyObject)) throw malformed(`${join(path, name)} is a ${typeName(value)}, not a module`);
    node.children.set(name, walk(value, join(path, name), depth + 1, state));
  }
  active.delete(object);
  return node;
}

/** Builds the module tree rooted at a pickled module. */
export function moduleTree(root: PyObject): ModuleNode {
  return walk(root, '', 0, { active: new Set(), count: 0 });
}

/** Every tensor of the tree by its state-dict name, in registration order. */
export function stateDict(root: ModuleNode): Map<string, PyTensor> {
  const out = new Map<string, PyTensor>();
  const visit = (node: ModuleNode): void => {
    for (const [name, tensor] of node.tensors) out.set(join(node.path, name), tensor);
    for (const child of node.children.values()) visit(child);
  };
  visit(root);
  return out;
}
