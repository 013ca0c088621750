/**
 * Hostile checkpoints (the checkpoint reader findings), each built here with our own writers and
 * read through the public reader. What a case returns is its correct answer; what it throws is checked
 * by test/hostile/checkpoint.test.ts.
 */
import { Checkpoint, moduleTree, type PyList, type PyTensor, stateDict } from '../../../lib/checkpoint';
import { PickleEmitter, writeZip } from '../../../scripts/fixtures/checkpoint-writer';

const OP = { PROTO: 0x80, STOP: 0x2e, EMPTY_DICT: 0x7d, EMPTY_TUPLE: 0x29, DUP: 0x32, TUPLE2: 0x86, NONE: 0x4e, SETITEM: 0x73 };
const MEMOIZE = 0x94;
const POP = 0x30;
const MARK = 0x28;

/** A torch.save-shaped zip around `pickle`, deflated when asked (a small file standing for a big pickle). */
function checkpointOf(pickle: Uint8Array, deflate = false, storages: Record<string, Uint8Array> = {}): Uint8Array {
  return writeZip([
    { name: 'a/data.pkl', data: pickle, method: deflate ? 8 : 0 },
    ...Object.entries(storages).map(([key, data]) => ({ name: `a/data/${key}`, data })),
  ]);
}

/** A protocol-4 pickle of `body` repeated `times`, between a prefix and a suffix. */
function repeated(prefix: number[], body: number[], times: number, suffix: number[]): Uint8Array {
  const out = Buffer.alloc(prefix.length + body.length * times + suffix.length);
  out.set(prefix, 0);
  for (let i = 0; i < times; i++) out.set(body, prefix.length + i * body.length);
  out.set(suffix, prefix.length + body.length * times);
  return out;
}

function read(bytes: Uint8Array): { entries: number; bytes: number } {
  const checkpoint = Checkpoint.read(bytes);
  return { entries: checkpoint.root.size, bytes: bytes.length };
}

/** `t = (); t = (t, t)` 24 times, then {t: None}: 182 bytes that took 7.7 s and 1.2 GB to hash. */
export function tupleKeyBomb(levels = 24): { entries: number; bytes: number } {
  const e = new PickleEmitter().op(OP.PROTO, 2, OP.EMPTY_DICT, OP.EMPTY_TUPLE);
  for (let i = 0; i < levels; i++) e.op(OP.DUP, OP.TUPLE2);
  return read(checkpointOf(e.op(OP.NONE, OP.SETITEM, OP.STOP).finish()));
}

/** The depth-26 tuple used in 1,000 different keys ((t, i) for each i): would have taken hours. */
export function tupleKeysMany(levels = 26, keys = 1000): { entries: number; bytes: number } {
  const e = new PickleEmitter().op(OP.PROTO, 2, OP.EMPTY_DICT, OP.EMPTY_TUPLE);
  for (let i = 0; i < levels; i++) e.op(OP.DUP, OP.TUPLE2);
  e.op(0x71, 0, POP); // BINPUT 0, POP: keep t in the memo only
  for (let i = 0; i < keys; i++) e.op(0x68, 0, 0x4d, i & 0xff, i >> 8, OP.TUPLE2, OP.NONE, OP.SETITEM); // (t, i): None
  return read(checkpointOf(e.op(OP.STOP).finish()));
}

/** EMPTY_DICT MEMOIZE POP repeated to just under the pickle cap, deflated to a few KB: exhausted the heap. */
export function memoFlood(times = 5_000_000): { entries: number; bytes: number } {
  return read(checkpointOf(repeated([OP.PROTO, 4, OP.EMPTY_DICT], [OP.EMPTY_DICT, MEMOIZE, POP], times, [OP.STOP]), true));
}

/** EMPTY_DICT repeated (no memo): a pickle that only creates values. */
export function valueFlood(times = 5_000_000): { entries: number; bytes: number } {
  return read(checkpointOf(repeated([OP.PROTO, 4], [OP.EMPTY_DICT, POP], times, [OP.EMPTY_DICT, OP.STOP]), true));
}

/** NONE MEMOIZE repeated: memo slots that cost no new values. */
export function memoSlots(times = 4_000_000): { entries: number; bytes: number } {
  return read(checkpointOf(repeated([OP.PROTO, 4, OP.EMPTY_DICT], [OP.NONE, MEMOIZE, POP], times, [OP.STOP]), true));
}

/** Millions of MARKs (each one held a fresh array). */
export function markFlood(times = 15_000_000): { entries: number; bytes: number } {
  return read(checkpointOf(repeated([OP.PROTO, 4], [MARK], times, [OP.EMPTY_DICT, OP.STOP]), true));
}

/** A 64 MB pickle deflated to about 60 KB: refused from the zip directory, before inflating. */
export function inflatedPickle(bytes = 64 * 1024 * 1024): { entries: number; bytes: number } {
  return read(checkpointOf(repeated([OP.PROTO, 4], [OP.NONE, POP], (bytes - 4) / 2, [OP.EMPTY_DICT, OP.STOP]), true));
}

/** One million items appended at once (APPENDS): a spread of that many arguments overflowed the stack. */
export function bigAppends(items = 1_000_000): number {
  const pickle = repeated([OP.PROTO, 4, OP.EMPTY_DICT, 0x58, 1, 0, 0, 0, 0x6c, 0x5d, MARK], [OP.NONE], items, [0x65, OP.SETITEM, OP.STOP]);
  return (Checkpoint.read(checkpointOf(pickle)).get('l') as PyList).items.length;
}

/** {'w': tensor} over a 1-element float32 storage with the given sizes and strides. */
function viewPickle(dims: number[], strides: number[], count = 1): Uint8Array {
  const e = new PickleEmitter().op(OP.PROTO, 2, OP.EMPTY_DICT);
  for (let t = 0; t < count; t++) {
    e.str(`w${t}`);
    e.global('torch._utils', '_rebuild_tensor_v2').op(MARK);
    e.op(MARK).str('storage').global('torch', 'FloatStorage').str('0').str('cpu').int(1).op(0x74, 0x51);
    e.int(0).op(MARK);
    for (const d of dims) e.int(d);
    e.op(0x74, MARK);
    for (const s of strides) e.int(s);
    e.op(0x74, 0x89, OP.EMPTY_DICT, 0x74, 0x52, OP.SETITEM);
  }
  return e.op(OP.STOP).finish();
}

/** A 4-byte storage read with stride 0 as a 16384 x 16384 tensor: 1 GiB of float32 from 4 bytes. */
export function strideZeroTensor(): number {
  const checkpoint = Checkpoint.read(checkpointOf(viewPickle([16384, 16384], [0, 0]), false, { 0: new Uint8Array(4) }));
  return checkpoint.float32(checkpoint.get('w0') as PyTensor, 'w0').length;
}

/** 64 views of 8 M elements each over one 4-byte storage: each under the per-tensor cap, 2 GiB together. */
export function manyStrideZeroViews(): number {
  const checkpoint = Checkpoint.read(checkpointOf(viewPickle([2048, 4096], [0, 0], 64), false, { 0: new Uint8Array(4) }));
  let total = 0;
  for (let t = 0; t < 64; t++) total += checkpoint.float32(checkpoint.get(`w${t}`) as PyTensor, `w${t}`).length;
  return total;
}

/** A tiny view with stride 0 (a broadcast constant) still reads: the budget is not a ban. */
export function smallStrideZeroView(): number[] {
  const checkpoint = Checkpoint.read(
    checkpointOf(viewPickle([2, 3], [0, 0]), false, { 0: new Uint8Array(new Float32Array([1.5]).buffer) }),
  );
  return Array.from(checkpoint.float32(checkpoint.get('w0') as PyTensor));
}

/** The module tree of a checkpoint from a file: exported for cases that reach the tree. */
export function modules(bytes: Uint8Array): number {
  return stateDict(moduleTree(Checkpoint.read(bytes).model())).size;
}
