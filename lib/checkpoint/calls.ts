/**
 * What REDUCE, NEWOBJ and BUILD mean for each allowlisted global. These are interpretations written here,
 * never calls into anything the file names: a tensor rebuild becomes a PyTensor record, a module class
 * becomes an empty PyObject, and anything without an interpretation is refused.
 */
import { malformed, unsafe } from './errors';
import { PyAttribute, PyDict, PyGlobal, PyList, PyObject, PySet, PyStorage, PyTensor, PyTuple, type PyValue, typeName } from './py-values';
import { decodeNumpyScalar } from './numpy-scalar';

const MAX_DIMS = 16;

function intArg(value: PyValue, what: string): number {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  throw malformed(`${what} must be an integer, got ${typeName(value)}`);
}

function intTuple(value: PyValue, what: string): number[] {
  if (!(value instanceof PyTuple) && !(value instanceof PyList)) throw malformed(`${what} must be a tuple, got ${typeName(value)}`);
  if (value.items.length > MAX_DIMS) throw malformed(`${what} has ${value.items.length} dimensions`);
  return value.items.map((item, i) => {
    const n = intArg(item, `${what}[${i}]`);
    if (n < 0) throw malformed(`${what}[${i}] is negative (${n})`);
    return n;
  });
}

function rebuildTensor(args: readonly PyValue[], what: string): PyTensor {
  const [storage, offset, size, stride] = args;
  if (!(storage instanceof PyStorage)) throw malformed(`${what} expects a storage, got ${typeName(storage)}`);
  const dims = intTuple(size ?? null, `${what} size`);
  const strides = intTuple(stride ?? null, `${what} stride`);
  if (dims.length !== strides.length) throw malformed(`${what}: ${dims.length} sizes but ${strides.length} strides`);
  const start = intArg(offset ?? null, `${what} offset`);
  if (start < 0) throw malformed(`${what} offset is negative`);
  return new PyTensor(storage, start, dims, strides);
}

function tensorArg(value: PyValue | undefined, what: string): PyTensor {
  if (!(value instanceof PyTensor)) throw malformed(`${what} expects a tensor, got ${typeName(value)}`);
  return value;
}

function dictFromPairs(value: PyValue | undefined): PyDict {
  const dict = new PyDict();
  if (value === undefined) return dict;
  if (!(value instanceof PyList) && !(value instanceof PyTuple))
    throw malformed(`OrderedDict expects a list of pairs, got ${typeName(value)}`);
  for (const pair of value.items) {
    if (!(pair instanceof PyTuple || pair instanceof PyList) || pair.items.length !== 2) {
      throw malformed('OrderedDict expects (key, value) pairs');
    }
    dict.set(pair.items[0], pair.items[1]);
  }
  return dict;
}

function setFrom(value: PyValue | undefined): PySet {
  if (value === undefined) return new PySet();
  if (value instanceof PyList || value instanceof PyTuple || value instanceof PySet) return new PySet([...value.items]);
  throw malformed(`set expects a list, got ${typeName(value)}`);
}

function getattr(args: readonly PyValue[]): PyAttribute {
  const [owner, name] = args;
  if (!(owner instanceof PyGlobal) || (owner.rule.kind !== 'module' && owner.rule.kind !== 'namespace')) {
    throw unsafe(`getattr on ${typeName(owner)} is not allowed (only on allowlisted module classes)`);
  }
  if (typeof name !== 'string' || !/^[A-Za-z][A-Za-z0-9_]*$/.test(name)) {
    throw unsafe(`getattr(${owner.qualifiedName}, ${typeof name === 'string' ? `'${name}'` : typeName(name)}) is not allowed`);
  }
  return new PyAttribute(owner, name);
}

function callFunction(fn: PyGlobal, args: readonly PyValue[]): PyValue {
  const rule = fn.rule;
  if (rule.kind !== 'function') throw new Error('unreachable');
  const what = fn.qualifiedName;
  switch (rule.fn) {
    case 'rebuild_tensor_v2':
    case 'rebuild_tensor':
      return rebuildTensor(args, what);
    case 'rebuild_parameter':
    case 'rebuild_parameter_with_state':
      return tensorArg(args[0], what);
    case 'size':
      return new PyTuple(intTuple(args[0] ?? new PyTuple([]), what));
    case 'device':
      if (typeof args[0] !== 'string') throw malformed(`${what} expects a string`);
      return args[0];
    case 'getattr':
      return getattr(args);
    case 'numpy_scalar':
      return decodeNumpyScalar(args);
    case 'path':
      if (!args.every((a): a is string => typeof a === 'string')) throw malformed(`${what} expects strings`);
      return args.join('/');
  }
}

function emptyArgs(args: readonly PyValue[], cls: PyGlobal): void {
  if (args.length !== 0) throw unsafe(`${cls.qualifiedName} is created with arguments; only empty construction is allowed`);
}

/** REDUCE: `callable(*args)`. */
export function reduce(callable: PyValue, args: PyValue): PyValue {
  if (!(callable instanceof PyGlobal)) throw unsafe(`REDUCE calls a ${typeName(callable)}; only allowlisted globals may be called`);
  if (!(args instanceof PyTuple)) throw malformed(`REDUCE arguments must be a tuple, got ${typeName(args)}`);
  const { rule } = callable;
  switch (rule.kind) {
    case 'function':
      return callFunction(callable, args.items);
    case 'dict':
      return dictFromPairs(args.items[0]);
    case 'set':
      return setFrom(args.items[0]);
    case 'module':
    case 'namespace':
      emptyArgs(args.items, callable);
      return new PyObject(callable, []);
    case 'numpy_dtype':
      return new PyObject(callable, args.items);
    case 'storage':
    case 'value':
      throw unsafe(`${callable.qualifiedName} cannot be called`);
  }
}

/** NEWOBJ: `cls.__new__(cls, *args)`. */
export function newObject(cls: PyValue, args: PyValue): PyValue {
  if (!(cls instanceof PyGlobal)) throw unsafe(`NEWOBJ on a ${typeName(cls)}`);
  if (!(args instanceof PyTuple)) throw malformed(`NEWOBJ arguments must be a tuple, got ${typeName(args)}`);
  switch (cls.rule.kind) {
    case 'module':
    case 'namespace':
      emptyArgs(args.items, cls);
      return new PyObject(cls, []);
    case 'dict':
      return new PyDict();
    case 'set':
      return setFrom(args.items[0]);
    default:
      throw unsafe(`NEWOBJ on ${cls.qualifiedName} is not allowed`);
  }
}

function stateDict(state: PyValue): { dict: PyDict | null; slots: PyDict | null } {
  if (state instanceof PyDict) return { dict: state, slots: null };
  if (state instanceof PyTuple && state.items.length === 2) {
    const [dict, slots] = state.items;
    if ((dict === null || dict instanceof PyDict) && (slots === null || slots instanceof PyDict)) return { dict, slots };
  }
  throw unsafe(`BUILD with a ${typeName(state)} state; modules take a dict`);
}

/** BUILD: `obj.__setstate__(state)` or `obj.__dict__.update(state)`; only on our own records. */
export function build(target: PyValue, state: PyValue): void {
  if (!(target instanceof PyObject)) throw unsafe(`BUILD on a ${typeName(target)} is not allowed`);
  if (target.cls.rule.kind === 'numpy_dtype') {
    target.extraState = state;
    return;
  }
  const { dict, slots } = stateDict(state);
  for (const part of [dict, slots]) {
    for (const [key, value] of part?.entries() ?? []) {
      if (typeof key !== 'string') throw unsafe(`BUILD sets an attribute named by a ${typeName(key)}`);
      target.attrs.set(key, value);
    }
  }
}
