/**
 * Materialises a PyTensor as float32 numbers: bounds-checked against its storage, strided reads, and the
 * exact widening of float16 / bfloat16 (torch's `.float()` does the same). Storages are little-endian.
 */
import { malformed } from './errors';
import { ITEM_SIZE, type PyStorage, type PyTensor, type StorageDtype } from './py-values';

/** Largest tensor we materialise (elements); FastSAM-x's biggest weight has 2.4 M. */
const MAX_ELEMENTS = 1 << 28;
/**
 * What views may add on top of their storages, in elements: a view reading a value more than once (stride
 * 0, overlapping strides) is legal, but 4 bytes of storage must not become a 1 GiB tensor. 16 M elements
 * (64 MB as float32) is far more than any broadcast constant a model keeps.
 */
const VIEW_ALLOWANCE = 1 << 24;

/**
 * A model-level budget for materialised tensors: all of a checkpoint's tensors together may hold no more
 * elements than its storages declare, plus VIEW_ALLOWANCE. The per-tensor cap alone let one tiny storage
 * with stride 0 yield a 1 GiB tensor, and many views of one storage multiply it.
 */
export class TensorBudget {
  private readonly spent = new WeakSet<PyTensor>();
  private left: number;

  constructor(storages: ReadonlyMap<string, PyStorage>) {
    let declared = 0;
    for (const storage of storages.values()) declared += storage.numel;
    this.left = declared + VIEW_ALLOWANCE;
  }

  /** Counts a tensor once (reading one twice costs nothing more); refuses it past the budget. */
  spend(tensor: PyTensor, label: string): void {
    if (this.spent.has(tensor)) return;
    const count = tensor.numel;
    if (!Number.isSafeInteger(count) || count > this.left) {
      throw malformed(
        `tensor ${label} has ${count} elements, more than the checkpoint's storages hold (${this.left} elements left); ` +
          'a view may not multiply its storage',
      );
    }
    this.left -= count;
    this.spent.add(tensor);
  }
}

let halfTable: Float32Array | undefined;

// All 65536 float16 values, widened exactly (subnormals, infinities and NaN included).
function halfToFloatTable(): Float32Array {
  if (halfTable) return halfTable;
  halfTable = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const exponent = (h >> 10) & 0x1f;
    const fraction = h & 0x3ff;
    if (exponent === 0) halfTable[h] = sign * fraction * 2 ** -24;
    else if (exponent === 31) halfTable[h] = fraction ? NaN : sign * Infinity;
    else halfTable[h] = sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
  }
  return halfTable;
}

type Reader = (index: number) => number;

function elementReader(dtype: StorageDtype, bytes: Uint8Array): Reader {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (dtype) {
    case 'float16': {
      const table = halfToFloatTable();
      return (i) => table[view.getUint16(i * 2, true)];
    }
    case 'bfloat16': {
      const scratch = new DataView(new ArrayBuffer(4));
      return (i) => {
        scratch.setUint32(0, view.getUint16(i * 2, true) << 16, true);
        return scratch.getFloat32(0, true);
      };
    }
    case 'float32':
      return (i) => view.getFloat32(i * 4, true);
    case 'float64':
      return (i) => view.getFloat64(i * 8, true);
    case 'int64':
      return (i) => Number(view.getBigInt64(i * 8, true));
    case 'int32':
      return (i) => view.getInt32(i * 4, true);
    case 'int16':
      return (i) => view.getInt16(i * 2, true);
    case 'int8':
      return (i) => view.getInt8(i);
    case 'uint8':
    case 'bool':
      return (i) => view.getUint8(i);
  }
}

/** The highest storage index a strided view touches (-1 for an empty tensor). */
function lastIndex(tensor: PyTensor): number {
  if (tensor.size.some((d) => d === 0)) return -1;
  return tensor.size.reduce((last, d, i) => last + (d - 1) * tensor.stride[i], tensor.offset);
}

/** Checks the view against its storage bytes; returns the element count. */
export function checkTensor(tensor: PyTensor, storageBytes: Uint8Array, label: string): number {
  const { storage } = tensor;
  const count = tensor.numel;
  if (!Number.isSafeInteger(count) || count > MAX_ELEMENTS) throw malformed(`tensor ${label} has ${count} elements`);
  if (storageBytes.length < storage.numel * ITEM_SIZE[storage.dtype]) {
    throw malformed(
      `storage data/${storage.key} holds ${storageBytes.length} bytes, fewer than its ${storage.numel} ${storage.dtype} values`,
    );
  }
  if (lastIndex(tensor) >= storage.numel) throw malformed(`tensor ${label} reaches past the end of storage data/${storage.key}`);
  return count;
}

function isContiguous(tensor: PyTensor): boolean {
  let expected = 1;
  for (let d = tensor.size.length - 1; d >= 0; d--) {
    if (tensor.size[d] !== 1 && tensor.stride[d] !== expected) return false;
    expected *= tensor.size[d];
  }
  return true;
}

/** The tensor's values in C order, widened to float32. */
export function tensorToFloat32(tensor: PyTensor, storageBytes: Uint8Array, label = 'tensor'): Float32Array {
  const count = checkTensor(tensor, storageBytes, label);
  const read = elementReader(tensor.storage.dtype, storageBytes);
  const out = new Float32Array(count);
  const { size, stride, offset } = tensor;
  if (isContiguous(tensor)) {
    // The common case (every weight torch saves): one linear run.
    for (let n = 0; n < count; n++) out[n] = read(offset + n);
    return out;
  }
  const rank = size.length;
  const index = new Array<number>(rank).fill(0);
  let at = offset;
  for (let n = 0; n < count; n++) {
    out[n] = read(at);
    // Odometer over the dims, last fastest, keeping the storage position in step.
    for (let d = rank - 1; d >= 0; d--) {
      index[d] += 1;
      at += stride[d];
      if (index[d] < size[d]) break;
      at -= stride[d] * size[d];
      index[d] = 0;
    }
  }
  return out;
}
