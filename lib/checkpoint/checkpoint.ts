/**
 * Opens an Ultralytics checkpoint (`torch.save` zip format): finds `<archive>/data.pkl`, unpickles it with
 * the allowlist, and resolves tensor storages lazily from `<archive>/data/<key>`. What comes back is data:
 * the checkpoint dict, the model's module tree, and float32 tensors on request.
 */
import { promises as fs } from 'node:fs';
import { FastSAMError } from '../errors';
import { malformed } from './errors';
import { lookupGlobal } from './globals';
import { unpickle } from './pickle';
import { PyDict, PyGlobal, PyObject, PyStorage, type PyTensor, PyTuple, type PyValue, typeName } from './py-values';
import { TensorBudget, tensorToFloat32 } from './tensor';
import { ZipArchive, type ZipLimits } from './zip';

/** The pickle of a checkpoint is small (FastSAM-s: 91 KB, FastSAM-x: under 1 MB); anything huge is not one. */
const MAX_PICKLE_BYTES = 16 * 1024 * 1024;
const STORAGE_KEY = /^[A-Za-z0-9_]{1,64}$/;
// torch's pre-1.6 format starts with a pickled magic number instead of a zip header.
const LEGACY_MAGIC = Uint8Array.of(0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8);

export interface CheckpointOptions {
  /** Used in error messages. */
  label?: string;
  zipLimits?: Partial<ZipLimits>;
}

export class Checkpoint {
  private constructor(
    private readonly archive: ZipArchive,
    private readonly prefix: string,
    /** The unpickled top-level object (a dict for Ultralytics checkpoints). */
    readonly root: PyDict,
    readonly label: string,
    private readonly budget: TensorBudget,
  ) {}

  static read(bytes: Uint8Array, options: CheckpointOptions = {}): Checkpoint {
    const label = options.label ?? 'checkpoint';
    try {
      return Checkpoint.parse(bytes, label, options);
    } catch (error) {
      if (error instanceof FastSAMError) throw new FastSAMError(error.code, `${label}: ${error.message}`, { cause: error });
      throw malformed(`${label}: ${(error as Error).message}`, error);
    }
  }

  static async load(path: string, options: CheckpointOptions = {}): Promise<Checkpoint> {
    let bytes: Uint8Array;
    try {
      bytes = await fs.readFile(path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'EISDIR')
        throw new FastSAMError('E_FILE_NOT_FOUND', `checkpoint not found: ${path}`, { cause: error });
      throw malformed(`cannot read checkpoint ${path}: ${(error as Error).message}`, error);
    }
    return Checkpoint.read(bytes, { label: path, ...options });
  }

  private static parse(bytes: Uint8Array, label: string, options: CheckpointOptions): Checkpoint {
    if (startsWith(bytes, LEGACY_MAGIC)) {
      throw malformed('this is the legacy (pre-1.6) PyTorch format; re-save it with torch.save in a current PyTorch');
    }
    const archive = ZipArchive.open(bytes, options.zipLimits);
    const prefix = findPrefix(archive);
    if (archive.entry(`${prefix}constants.pkl`)) throw malformed('this is a TorchScript archive, not an Ultralytics checkpoint');
    const order = archive.entry(`${prefix}byteorder`) ? Buffer.from(archive.read(`${prefix}byteorder`)).toString('latin1') : 'little';
    if (order !== 'little') throw malformed(`checkpoint byte order '${order}' is not supported`);
    // Checked from the zip directory, before inflating: 60 KB of deflate can stand for 64 MB of pickle.
    const pickle = archive.read(`${prefix}data.pkl`, MAX_PICKLE_BYTES);
    const storages = new Map<string, PyStorage>();
    const root = unpickle(pickle, { persistentLoad: (pid) => loadStorage(pid, storages, archive, prefix) });
    if (!(root instanceof PyDict)) throw malformed(`expected a checkpoint dict, found a ${typeName(root)}`);
    return new Checkpoint(archive, prefix, root, label, new TensorBudget(storages));
  }

  /** A top-level entry ('model', 'ema', 'train_args', 'version', ...). */
  get(key: string): PyValue | undefined {
    return this.root.get(key);
  }

  /** The network, as Ultralytics loads it: the EMA weights when present, else 'model'. */
  model(): PyObject {
    const ema = this.root.get('ema');
    const model = ema instanceof PyObject ? ema : this.root.get('model');
    if (!(model instanceof PyObject) || model.cls.rule.kind !== 'module') {
      throw malformed(`${this.label}: no model in the checkpoint (its 'model' is a ${typeName(model)})`);
    }
    return model;
  }

  /** The raw bytes of a storage. */
  storageBytes(storage: PyStorage): Uint8Array {
    return this.archive.read(`${this.prefix}data/${storage.key}`);
  }

  /** A tensor's values as float32 in C order (counted against the checkpoint's TensorBudget). */
  float32(tensor: PyTensor, label = 'tensor'): Float32Array {
    const bytes = this.storageBytes(tensor.storage);
    this.budget.spend(tensor, label);
    return tensorToFloat32(tensor, bytes, label);
  }
}

function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  return bytes.length >= prefix.length && prefix.every((b, i) => bytes[i] === b);
}

// torch writes every entry under one folder named after the file: '<name>/data.pkl'.
function findPrefix(archive: ZipArchive): string {
  const pickles = archive.names.filter((name) => /^([^/]+\/)?data\.pkl$/.test(name));
  if (pickles.length !== 1) {
    throw malformed(pickles.length === 0 ? 'not a PyTorch checkpoint (no data.pkl in the zip)' : 'more than one data.pkl in the zip');
  }
  return pickles[0].slice(0, -'data.pkl'.length);
}

// A persistent id is ('storage', torch.<Type>Storage, key, location, numel).
function loadStorage(pid: PyValue, storages: Map<string, PyStorage>, archive: ZipArchive, prefix: string): PyStorage {
  if (!(pid instanceof PyTuple) || pid.items.length !== 5 || pid.items[0] !== 'storage') {
    throw malformed(`unexpected persistent id (${typeName(pid)}); only torch storages are supported`);
  }
  const [, type, key, , numel] = pid.items;
  if (!(type instanceof PyGlobal) || type.rule.kind !== 'storage')
    throw malformed(`persistent id names a ${typeName(type)}, not a storage type`);
  if (typeof key !== 'string' || !STORAGE_KEY.test(key))
    throw malformed(`bad storage key ${typeof key === 'string' ? `'${key}'` : typeName(key)}`);
  if (typeof numel !== 'number' || !Number.isSafeInteger(numel) || numel < 0) throw malformed(`bad element count for storage ${key}`);
  const entry = archive.entry(`${prefix}data/${key}`);
  if (!entry) throw malformed(`storage ${key} is missing from the archive`);
  const existing = storages.get(key);
  if (existing) {
    if (existing.dtype !== type.rule.dtype) throw malformed(`storage ${key} is used with two dtypes`);
    return existing;
  }
  const storage = new PyStorage(type.rule.dtype, key, numel);
  storages.set(key, storage);
  return storage;
}

/** Whether `module.name` is a global checkpoints may use (for messages and tests). */
export function isAllowedGlobal(module: string, name: string): boolean {
  return lookupGlobal(module, name) !== undefined;
}
