/**
 * numpy.core.multiarray.scalar(dtype, bytes): how numpy pickles a lone number (older Ultralytics
 * checkpoints keep metrics so). Decoded to a JS number from the dtype's descriptor; nothing is called.
 */
import { malformed } from './errors';
import { PyObject, PyTuple, type PyValue, typeName } from './py-values';

function byteOrder(dtype: PyObject): boolean {
  const state = dtype.extraState;
  const order = state instanceof PyTuple ? state.items[1] : '<';
  if (order === '>') return false;
  return true;
}

function readNumber(view: DataView, kind: string, size: number, little: boolean): number | bigint {
  switch (`${kind}${size}`) {
    case 'f8':
      return view.getFloat64(0, little);
    case 'f4':
      return view.getFloat32(0, little);
    case 'i8': {
      const v = view.getBigInt64(0, little);
      return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
    }
    case 'u8': {
      const v = view.getBigUint64(0, little);
      return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
    }
    case 'i4':
      return view.getInt32(0, little);
    case 'u4':
      return view.getUint32(0, little);
    case 'i2':
      return view.getInt16(0, little);
    case 'u2':
      return view.getUint16(0, little);
    case 'i1':
      return view.getInt8(0);
    case 'u1':
    case 'b1':
      return view.getUint8(0);
  }
  throw malformed(`numpy scalar of dtype '${kind}${size}' is not supported`);
}

export function decodeNumpyScalar(args: readonly PyValue[]): PyValue {
  const [dtype, data] = args;
  if (!(dtype instanceof PyObject) || dtype.cls.rule.kind !== 'numpy_dtype') {
    throw malformed(`numpy scalar expects a dtype, got ${typeName(dtype)}`);
  }
  const descr = dtype.args[0];
  const match = typeof descr === 'string' ? /^([fiub])(\d)$/.exec(descr) : null;
  if (!match) throw malformed(`numpy dtype '${String(descr)}' is not supported`);
  const size = Number(match[2]);
  if (!(data instanceof Uint8Array) || data.length !== size) throw malformed(`numpy scalar data does not hold one '${String(descr)}'`);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const value = readNumber(view, match[1], size, byteOrder(dtype));
  return match[1] === 'b' ? value !== 0 : value;
}
