/**
 * The Python values a restricted unpickler can produce. Nothing here is executable: classes are names
 * (PyGlobal), objects are records of those names plus their state (PyObject), and tensors are
 * descriptions of where their numbers lie in the archive (PyTensor -> PyStorage).
 */
import { createHash } from 'node:crypto';
import { malformed } from './errors';
import type { GlobalRule } from './globals';

export type PyValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | PyTuple
  | PyList
  | PyDict
  | PySet
  | PyGlobal
  | PyObject
  | PyAttribute
  | PyStorage
  | PyTensor;

export class PyTuple {
  /** Its dict-key hash, computed once (a tuple never changes): see hashKey. */
  key: string | undefined;

  constructor(readonly items: readonly PyValue[]) {}
}

export class PyList {
  constructor(readonly items: PyValue[] = []) {}
}

export class PySet {
  constructor(readonly items: PyValue[] = []) {}
}

/** An allowlisted Python global (a class or function named by the file); never called, only interpreted. */
export class PyGlobal {
  constructor(
    readonly module: string,
    readonly name: string,
    readonly rule: GlobalRule,
  ) {}

  get qualifiedName(): string {
    return `${this.module}.${this.name}`;
  }
}

/** An instance of an allowlisted class: its constructor arguments and the state BUILD gave it. */
export class PyObject {
  /** The instance __dict__ (BUILD state), empty until BUILD. */
  readonly attrs = new PyDict();
  /** Non-dict state (numpy dtypes pickle a tuple). */
  extraState: PyValue | undefined;

  constructor(
    readonly cls: PyGlobal,
    readonly args: readonly PyValue[],
  ) {}
}

/** `getattr(SomeClass, 'name')`: a reference to a class attribute (Segment pickles Detect.forward so). */
export class PyAttribute {
  constructor(
    readonly owner: PyGlobal,
    readonly name: string,
  ) {}
}

export type StorageDtype = 'float16' | 'bfloat16' | 'float32' | 'float64' | 'int64' | 'int32' | 'int16' | 'int8' | 'uint8' | 'bool';

export const ITEM_SIZE: Readonly<Record<StorageDtype, number>> = {
  float16: 2,
  bfloat16: 2,
  float32: 4,
  float64: 8,
  int64: 8,
  int32: 4,
  int16: 2,
  int8: 1,
  uint8: 1,
  bool: 1,
};

/** A storage: `numel` values of `dtype` in the archive entry `data/<key>`. */
export class PyStorage {
  constructor(
    readonly dtype: StorageDtype,
    readonly key: string,
    readonly numel: number,
  ) {}
}

/** A strided view of a storage (torch._utils._rebuild_tensor_v2). */
export class PyTensor {
  constructor(
    readonly storage: PyStorage,
    readonly offset: number,
    readonly size: readonly number[],
    readonly stride: readonly number[],
  ) {}

  get numel(): number {
    return this.size.reduce((n, d) => n * d, 1);
  }
}

/**
 * Python's dict key equality (1 == 1.0 == True) as a string; unhashable values are refused.
 *
 * A tuple's key is a fixed-length digest of its items' keys, computed once per tuple object: a pickle can
 * share one tuple inside another 24 times over (`t = (t, t)`, 182 bytes), and spelling such a key out
 * would take 2^24 characters and seconds; this way every tuple is hashed once, in linear time overall.
 */
export function hashKey(value: PyValue): string {
  if (value === null) return 'N';
  switch (typeof value) {
    case 'boolean':
      return `n:${value ? 1 : 0}`;
    case 'number':
      return `n:${Object.is(value, -0) ? 0 : value}`;
    case 'bigint':
      return `n:${value.toString()}`;
    case 'string':
      return `s:${value}`;
  }
  if (value instanceof Uint8Array) return `b:${Buffer.from(value).toString('hex')}`;
  if (value instanceof PyTuple) return tupleKey(value);
  if (value instanceof PyGlobal) return `g:${value.qualifiedName}`;
  throw malformed(`unhashable ${typeName(value)} used as a dict key or set member`);
}

function tupleKey(tuple: PyTuple): string {
  if (tuple.key !== undefined) return tuple.key;
  // Iterative post-order walk (a tuple nested a million deep must not overflow the JS stack), each
  // frame resuming where it left off, so every item is looked at once.
  const frames: { tuple: PyTuple; next: number }[] = [{ tuple, next: 0 }];
  let key = '';
  while (frames.length > 0) {
    const frame = frames[frames.length - 1];
    const { items } = frame.tuple;
    while (frame.next < items.length && !(items[frame.next] instanceof PyTuple && (items[frame.next] as PyTuple).key === undefined)) {
      frame.next += 1;
    }
    if (frame.next < items.length) {
      frames.push({ tuple: items[frame.next] as PyTuple, next: 0 });
      continue;
    }
    const digest = createHash('sha256');
    for (const item of items) digest.update(hashKey(item)).update('\0');
    key = `t:${items.length}:${digest.digest('base64')}`;
    frame.tuple.key = key;
    frames.pop();
  }
  return key;
}

/** An insertion-ordered Python dict (dict and OrderedDict alike). */
export class PyDict {
  private readonly map = new Map<string, [PyValue, PyValue]>();

  set(key: PyValue, value: PyValue): void {
    const hash = hashKey(key);
    const existing = this.map.get(hash);
    // Python keeps the first key object and replaces the value in place.
    this.map.set(hash, [existing ? existing[0] : key, value]);
  }

  get(key: PyValue): PyValue | undefined {
    return this.map.get(hashKey(key))?.[1];
  }

  has(key: PyValue): boolean {
    return this.map.has(hashKey(key));
  }

  get size(): number {
    return this.map.size;
  }

  entries(): [PyValue, PyValue][] {
    return [...this.map.values()];
  }
}

/** A short description of a value's Python type, for error messages. */
export function typeName(value: PyValue | undefined): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'None';
  switch (typeof value) {
    case 'boolean':
      return 'bool';
    case 'number':
    case 'bigint':
      return 'number';
    case 'string':
      return 'str';
  }
  if (value instanceof Uint8Array) return 'bytes';
  if (value instanceof PyTuple) return 'tuple';
  if (value instanceof PyList) return 'list';
  if (value instanceof PyDict) return 'dict';
  if (value instanceof PySet) return 'set';
  if (value instanceof PyGlobal) return `global ${value.qualifiedName}`;
  if (value instanceof PyObject) return `${value.cls.qualifiedName} object`;
  if (value instanceof PyAttribute) return `attribute ${value.owner.qualifiedName}.${value.name}`;
  if (value instanceof PyStorage) return 'storage';
  return 'tensor';
}
