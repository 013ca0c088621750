/**
 * A restricted unpickler: runs the pickle stack machine over plain data and allowlisted names only.
 * Globals are looked up in globals.ts and refused by name when absent; REDUCE, NEWOBJ and BUILD are
 * interpreted by calls.ts (never executed); opcodes that instantiate through other routes (INST, OBJ,
 * EXT*) are refused. Every length is checked against the bytes left, and every resource the machine
 * holds (stack and MARKs, memo, values created) has a budget, so hostile input ends in a typed error,
 * never a hang or a huge allocation.
 */
import { build, newObject, reduce } from './calls';
import { malformed, unsafe } from './errors';
import { canonicalModule, lookupGlobal } from './globals';
import { OP, REFUSED_OPS } from './pickle-opcodes';
import { PyAttribute, PyDict, PyGlobal, PyList, PySet, PyTuple, type PyValue, typeName } from './py-values';

export interface UnpickleOptions {
  /** Resolves a persistent id (torch: a storage reference). */
  persistentLoad: (pid: PyValue) => PyValue;
  /** Most values on the stack at once, MARKs included. */
  maxStack?: number;
  /** Most memo slots. */
  maxMemo?: number;
  /**
   * Most values created (strings, bytes, tuples, lists, dicts, sets, globals, objects) plus items put in
   * containers; numbers and references to values already made are free.
   */
  maxValues?: number;
}

const MAX_LINE = 4096;
const MAX_LONG_BYTES = 1024;
// Budgets of a model, not of the format. FastSAM-s's pickle (91 KB) creates about 4,000 values and memo
// slots; these allow 250 times that, and keep what a hostile pickle can make the reader hold to a few
// hundred MB whatever it repeats (an empty dict is 3 bytes of pickle and ~200 bytes of heap).
const DEFAULT_MAX_STACK = 1 << 20;
const DEFAULT_MAX_MEMO = 1 << 20;
const DEFAULT_MAX_VALUES = 1 << 20;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;
const latin1 = new TextDecoder('latin1');
const utf8 = new TextDecoder('utf-8');

/** Resolves GLOBAL / STACK_GLOBAL: an allowlisted global, a class attribute of one, or a refusal. */
export function resolveGlobal(module: string, name: string): PyValue {
  const shown = `${module}.${name}`;
  if (!IDENTIFIER.test(module) || !IDENTIFIER.test(name)) throw unsafe(`refusing the malformed Python global name '${shown}'`);
  const rule = lookupGlobal(module, name);
  if (rule) return new PyGlobal(canonicalModule(module), name, rule);
  // Protocol 4 names methods by qualified name ('Detect.forward').
  const [owner, attribute, ...rest] = name.split('.');
  const ownerRule = lookupGlobal(module, owner);
  if (ownerRule?.kind === 'module' && attribute !== undefined && rest.length === 0 && !attribute.startsWith('_')) {
    return new PyAttribute(new PyGlobal(canonicalModule(module), owner, ownerRule), attribute);
  }
  throw unsafe(
    `refusing the Python global '${shown}': a FastSAM / YOLOv8-seg checkpoint only needs PyTorch and Ultralytics ` +
      'module classes, OrderedDict and tensor storages, and this reader never runs code named by a file',
  );
}

function decodeRawUnicodeEscape(text: string): string {
  return text.replace(/\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g, (_, short: string | undefined, long: string | undefined) =>
    String.fromCodePoint(parseInt(short ?? long ?? '0', 16)),
  );
}

function parseTextInt(text: string): number | bigint | boolean {
  if (text === '01') return true;
  if (text === '00') return false;
  const clean = text.endsWith('L') ? text.slice(0, -1) : text;
  if (!/^[-+]?\d+$/.test(clean)) throw malformed(`bad integer literal '${text.slice(0, 40)}' in pickle`);
  const big = BigInt(clean);
  return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
}

function littleEndianSigned(bytes: Uint8Array): number | bigint {
  if (bytes.length === 0) return 0;
  let value = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[i]);
  if (bytes[bytes.length - 1] & 0x80) value -= 1n << BigInt(bytes.length * 8);
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}

// Not push(...items): spreading a few million arguments overflows the call stack (an untyped RangeError).
function appendAll(target: PyValue[], items: readonly PyValue[]): void {
  for (const item of items) target.push(item);
}

class Unpickler {
  private pos = 0;
  private stack: PyValue[] = [];
  private readonly metastack: PyValue[][] = [];
  private readonly memo = new Map<number, PyValue>();
  private depth = 0;
  private created = 0;
  private readonly view: DataView;
  private readonly maxStack: number;
  private readonly maxMemo: number;
  private readonly maxValues: number;

  constructor(
    private readonly data: Uint8Array,
    private readonly options: UnpickleOptions,
  ) {
    this.view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    this.maxStack = options.maxStack ?? DEFAULT_MAX_STACK;
    this.maxMemo = options.maxMemo ?? DEFAULT_MAX_MEMO;
    this.maxValues = options.maxValues ?? DEFAULT_MAX_VALUES;
  }

  run(): PyValue {
    for (;;) {
      const at = this.pos;
      const op = this.u8();
      if (op === OP.STOP) return this.pop();
      this.step(op, at);
    }
  }

  // ----- reading -----

  private need(n: number): number {
    const at = this.pos;
    if (n < 0 || n > this.data.length - at) {
      throw malformed(`truncated pickle: ${n} bytes needed at offset ${at}, ${this.data.length - at} left`);
    }
    this.pos = at + n;
    return at;
  }

  private u8(): number {
    return this.data[this.need(1)];
  }

  private u16(): number {
    return this.view.getUint16(this.need(2), true);
  }

  private u32(): number {
    return this.view.getUint32(this.need(4), true);
  }

  private u64(): number {
    const value = this.view.getBigUint64(this.need(8), true);
    return value > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(value);
  }

  private bytes(n: number): Uint8Array {
    const at = this.need(n);
    return this.data.subarray(at, at + n);
  }

  private line(): string {
    const end = this.data.indexOf(0x0a, this.pos);
    if (end < 0 || end - this.pos > MAX_LINE) throw malformed(`unterminated or overlong text line in pickle at offset ${this.pos}`);
    const text = latin1.decode(this.data.subarray(this.pos, end));
    this.pos = end + 1;
    return text;
  }

  // ----- the stack -----

  private push(value: PyValue): void {
    if (this.stack.length + this.depth + this.metastack.length >= this.maxStack)
      throw malformed(`pickle stack deeper than ${this.maxStack}`);
    this.stack.push(value);
  }

  /** Pushes a value the pickle made (not a reference to one it had): counted against maxValues. */
  private pushNew(value: PyValue): void {
    this.spend(1);
    this.push(value);
  }

  private spend(values: number): void {
    this.created += values;
    if (this.created > this.maxValues) throw malformed(`pickle creates more than ${this.maxValues} values; no model needs that many`);
  }

  private pop(): PyValue {
    if (this.stack.length === 0) throw malformed(`pickle pops an empty stack at offset ${this.pos - 1}`);
    return this.stack.pop() as PyValue;
  }

  private top(): PyValue {
    if (this.stack.length === 0) throw malformed(`pickle reads an empty stack at offset ${this.pos - 1}`);
    return this.stack[this.stack.length - 1];
  }

  private mark(): void {
    // A MARK holds a slot like a value does: a file of nothing but MARKs must hit the same limit.
    if (this.stack.length + this.depth + this.metastack.length >= this.maxStack)
      throw malformed(`pickle stack deeper than ${this.maxStack}`);
    this.metastack.push(this.stack);
    this.depth += this.stack.length;
    this.stack = [];
  }

  private popMark(): PyValue[] {
    const items = this.stack;
    const previous = this.metastack.pop();
    if (!previous) throw malformed(`pickle has no MARK to pop at offset ${this.pos - 1}`);
    this.depth -= previous.length;
    this.stack = previous;
    return items;
  }

  private memoPut(index: number): void {
    if (!this.memo.has(index) && this.memo.size >= this.maxMemo) throw malformed(`pickle memo holds more than ${this.maxMemo} values`);
    this.memo.set(index, this.top());
  }

  private memoGet(index: number): PyValue {
    const value = this.memo.get(index);
    if (value === undefined) throw malformed(`pickle reads memo slot ${index}, which was never written`);
    return value;
  }

  // ----- containers -----

  private listTarget(op: string): PyList {
    const target = this.top();
    if (!(target instanceof PyList)) throw unsafe(`${op} to a ${typeName(target)}; only lists may be appended to`);
    return target;
  }

  private setItems(items: PyValue[]): void {
    const target = this.top();
    if (!(target instanceof PyDict)) throw unsafe(`SETITEM on a ${typeName(target)}; only dicts may be filled`);
    if (items.length % 2 !== 0) throw malformed('SETITEMS with an odd number of values');
    this.spend(items.length / 2);
    for (let i = 0; i < items.length; i += 2) target.set(items[i], items[i + 1]);
  }

  private addItems(items: PyValue[]): void {
    const target = this.top();
    if (!(target instanceof PySet)) throw unsafe(`ADDITEMS on a ${typeName(target)}`);
    this.spend(items.length);
    appendAll(target.items, items);
  }

  // ----- one opcode -----

  private step(op: number, at: number): void {
    switch (op) {
      case OP.PROTO: {
        const version = this.u8();
        if (version > 5) throw malformed(`pickle protocol ${version} is newer than 5`);
        return;
      }
      case OP.FRAME:
        if (this.u64() > this.data.length - this.pos) throw malformed('pickle frame runs past the end of the data');
        return;
      case OP.MARK:
        return this.mark();
      case OP.POP:
        if (this.stack.length === 0) this.popMark();
        else this.pop();
        return;
      case OP.POP_MARK:
        this.popMark();
        return;
      case OP.DUP:
        return this.push(this.top());
      case OP.NONE:
        return this.push(null);
      case OP.NEWTRUE:
        return this.push(true);
      case OP.NEWFALSE:
        return this.push(false);
      case OP.BININT:
        return this.push(this.view.getInt32(this.need(4), true));
      case OP.BININT1:
        return this.push(this.u8());
      case OP.BININT2:
        return this.push(this.u16());
      case OP.LONG1:
        return this.push(littleEndianSigned(this.bytes(this.u8())));
      case OP.LONG4: {
        const n = this.view.getInt32(this.need(4), true);
        if (n < 0 || n > MAX_LONG_BYTES) throw malformed(`pickle integer of ${n} bytes`);
        return this.push(littleEndianSigned(this.bytes(n)));
      }
      case OP.INT:
      case OP.LONG:
        return this.push(parseTextInt(this.line()));
      case OP.FLOAT: {
        const value = Number(this.line());
        if (Number.isNaN(value)) throw malformed('bad float literal in pickle');
        return this.push(value);
      }
      case OP.BINFLOAT:
        return this.push(this.view.getFloat64(this.need(8), false));
      case OP.BINUNICODE:
        return this.pushNew(utf8.decode(this.bytes(this.u32())));
      case OP.SHORT_BINUNICODE:
        return this.pushNew(utf8.decode(this.bytes(this.u8())));
      case OP.BINUNICODE8:
        return this.pushNew(utf8.decode(this.bytes(this.u64())));
      case OP.UNICODE:
        return this.pushNew(decodeRawUnicodeEscape(this.line()));
      case OP.BINSTRING: {
        const n = this.view.getInt32(this.need(4), true);
        return this.pushNew(latin1.decode(this.bytes(n)));
      }
      case OP.SHORT_BINSTRING:
        return this.pushNew(latin1.decode(this.bytes(this.u8())));
      case OP.BINBYTES:
        return this.pushNew(this.bytes(this.u32()));
      case OP.SHORT_BINBYTES:
        return this.pushNew(this.bytes(this.u8()));
      case OP.BINBYTES8:
      case OP.BYTEARRAY8:
        return this.pushNew(this.bytes(this.u64()));
      case OP.EMPTY_TUPLE:
        return this.pushNew(new PyTuple([]));
      case OP.TUPLE:
        return this.pushNew(new PyTuple(this.popMark()));
      case OP.TUPLE1: {
        const a = this.pop();
        return this.pushNew(new PyTuple([a]));
      }
      case OP.TUPLE2: {
        const b = this.pop();
        const a = this.pop();
        return this.pushNew(new PyTuple([a, b]));
      }
      case OP.TUPLE3: {
        const c = this.pop();
        const b = this.pop();
        const a = this.pop();
        return this.pushNew(new PyTuple([a, b, c]));
      }
      case OP.EMPTY_LIST:
        return this.pushNew(new PyList());
      case OP.LIST:
        return this.pushNew(new PyList(this.popMark()));
      case OP.APPEND: {
        const value = this.pop();
        this.listTarget('APPEND').items.push(value);
        return this.spend(1);
      }
      case OP.APPENDS: {
        const items = this.popMark();
        appendAll(this.listTarget('APPENDS').items, items);
        return this.spend(items.length);
      }
      case OP.EMPTY_DICT:
        return this.pushNew(new PyDict());
      case OP.DICT: {
        const items = this.popMark();
        this.pushNew(new PyDict());
        return this.setItems(items);
      }
      case OP.SETITEM: {
        const value = this.pop();
        const key = this.pop();
        return this.setItems([key, value]);
      }
      case OP.SETITEMS:
        return this.setItems(this.popMark());
      case OP.EMPTY_SET:
        return this.pushNew(new PySet());
      case OP.ADDITEMS:
        return this.addItems(this.popMark());
      case OP.FROZENSET:
        return this.pushNew(new PySet(this.popMark()));
      case OP.GLOBAL: {
        const module = this.line();
        const name = this.line();
        return this.pushNew(resolveGlobal(module, name));
      }
      case OP.STACK_GLOBAL: {
        const name = this.pop();
        const module = this.pop();
        if (typeof module !== 'string' || typeof name !== 'string') throw malformed('STACK_GLOBAL needs two strings');
        return this.pushNew(resolveGlobal(module, name));
      }
      case OP.REDUCE: {
        const args = this.pop();
        const callable = this.pop();
        return this.pushNew(reduce(callable, args));
      }
      case OP.NEWOBJ: {
        const args = this.pop();
        const cls = this.pop();
        return this.pushNew(newObject(cls, args));
      }
      case OP.NEWOBJ_EX: {
        const kwargs = this.pop();
        const args = this.pop();
        const cls = this.pop();
        if (!(kwargs instanceof PyDict) || kwargs.size !== 0) throw unsafe('NEWOBJ_EX with keyword arguments');
        return this.pushNew(newObject(cls, args));
      }
      case OP.BUILD: {
        const state = this.pop();
        return build(this.top(), state);
      }
      case OP.PUT:
        return this.memoPut(Number(parseTextInt(this.line())));
      case OP.BINPUT:
        return this.memoPut(this.u8());
      case OP.LONG_BINPUT:
        return this.memoPut(this.u32());
      case OP.MEMOIZE:
        return this.memoPut(this.memo.size);
      case OP.GET:
        return this.push(this.memoGet(Number(parseTextInt(this.line()))));
      case OP.BINGET:
        return this.push(this.memoGet(this.u8()));
      case OP.LONG_BINGET:
        return this.push(this.memoGet(this.u32()));
      case OP.PERSID:
        return this.pushNew(this.options.persistentLoad(this.line()));
      case OP.BINPERSID:
        return this.pushNew(this.options.persistentLoad(this.pop()));
    }
    const refused = REFUSED_OPS.get(op);
    if (refused) throw unsafe(`pickle opcode ${refused} at offset ${at} is not allowed (it instantiates objects outside the allowlist)`);
    throw malformed(`unknown or unsupported pickle opcode 0x${op.toString(16)} at offset ${at}`);
  }
}

/** Unpickles `data` with the allowlist; throws E_UNSAFE_CHECKPOINT or E_MODEL_FORMAT FastSAMErrors. */
export function unpickle(data: Uint8Array, options: UnpickleOptions): PyValue {
  return new Unpickler(data, options).run();
}
