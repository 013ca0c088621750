/**
 * Reads the zip container of a PyTorch checkpoint from its central directory (torch writes local headers
 * with zero sizes and a data descriptor, so the central directory is the only trustworthy index).
 * Nothing is ever extracted to disk; entries are views into the file's bytes (stored) or inflated into
 * memory under a size cap (deflated). Names that could escape a folder, duplicates, encrypted entries and
 * entries that inflate past their declared size are refused.
 */
import * as zlib from 'node:zlib';
import { crc32 } from './crc32';
import { malformed, unsafe } from './errors';

export interface ZipEntry {
  name: string;
  /** 0 stored, 8 deflated. */
  method: number;
  compressedSize: number;
  size: number;
  crc32: number;
  localHeaderOffset: number;
}

export interface ZipLimits {
  /** Most entries a checkpoint may hold (torch writes one per storage). */
  maxEntries: number;
  /** Largest inflated size of one deflated entry. */
  maxInflatedBytes: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = { maxEntries: 200_000, maxInflatedBytes: 512 * 1024 * 1024 };

const SIG = { local: 0x04034b50, central: 0x02014b50, eocd: 0x06054b50, zip64Locator: 0x07064b50, zip64Eocd: 0x06064b50 };
const EOCD_SIZE = 22;
const CENTRAL_SIZE = 46;
const LOCAL_SIZE = 30;
const MAX_COMMENT = 0xffff;
// Deflate cannot compress better than about 1032:1; a header claiming more is lying.
const MAX_DEFLATE_RATIO = 1032;
const ZIP64_EXTRA_ID = 0x0001;

class Bytes {
  readonly view: DataView;
  constructor(readonly data: Uint8Array) {
    this.view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  }

  check(offset: number, length: number, what: string): void {
    if (offset < 0 || length < 0 || offset + length > this.data.length) {
      throw malformed(`truncated zip: ${what} at ${offset} (+${length}) lies past the end of the ${this.data.length}-byte file`);
    }
  }

  u16(at: number): number {
    return this.view.getUint16(at, true);
  }

  u32(at: number): number {
    return this.view.getUint32(at, true);
  }

  u64(at: number, what: string): number {
    const value = this.view.getBigUint64(at, true);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw malformed(`zip ${what} ${value} is out of range`);
    return Number(value);
  }
}

interface Directory {
  count: number;
  size: number;
  offset: number;
}

function findEocd(b: Bytes): number {
  const last = b.data.length - EOCD_SIZE;
  const first = Math.max(0, last - MAX_COMMENT);
  for (let at = last; at >= first; at--) {
    if (b.data[at] === 0x50 && b.u32(at) === SIG.eocd && at + EOCD_SIZE + b.u16(at + 20) <= b.data.length) return at;
  }
  throw malformed('not a zip archive (no end-of-central-directory record); a PyTorch checkpoint is a zip file');
}

function readDirectory(b: Bytes): Directory {
  const eocd = findEocd(b);
  if (b.u16(eocd + 4) !== 0 || b.u16(eocd + 6) !== 0) throw malformed('multi-disk zip archives are not supported');
  let dir: Directory = { count: b.u16(eocd + 10), size: b.u32(eocd + 12), offset: b.u32(eocd + 16) };
  if (dir.count === 0xffff || dir.size === 0xffffffff || dir.offset === 0xffffffff) dir = readZip64Directory(b, eocd);
  b.check(dir.offset, dir.size, 'the central directory');
  return dir;
}

function readZip64Directory(b: Bytes, eocd: number): Directory {
  const locator = eocd - 20;
  b.check(locator, 20, 'the zip64 locator');
  if (b.u32(locator) !== SIG.zip64Locator) throw malformed('zip64 sizes without a zip64 locator');
  const at = b.u64(locator + 8, 'zip64 record offset');
  b.check(at, 56, 'the zip64 end record');
  if (b.u32(at) !== SIG.zip64Eocd) throw malformed('bad zip64 end record signature');
  return { count: b.u64(at + 32, 'entry count'), size: b.u64(at + 40, 'directory size'), offset: b.u64(at + 48, 'directory offset') };
}

/** A name that stays inside its folder: no absolute paths, no '..', no backslashes or control characters. */
export function isSafeEntryName(name: string): boolean {
  if (name.length === 0 || name.startsWith('/') || /^[A-Za-z]:/.test(name)) return false;
  // eslint-disable-next-line no-control-regex
  if (/[\\\u0000-\u001f]/.test(name)) return false;
  return name.split('/').every((part) => part !== '..' && part !== '.');
}

// Values saturated in the central record are in the zip64 extra field, in this order.
function applyZip64(b: Bytes, extraStart: number, extraEnd: number, entry: ZipEntry): void {
  for (let at = extraStart; at + 4 <= extraEnd;) {
    const id = b.u16(at);
    const length = b.u16(at + 2);
    let field = at + 4;
    if (id === ZIP64_EXTRA_ID) {
      const take = (): number => {
        if (field + 8 > at + 4 + length) throw malformed(`zip64 field of ${entry.name} is too short`);
        const value = b.u64(field, 'zip64 field');
        field += 8;
        return value;
      };
      if (entry.size === 0xffffffff) entry.size = take();
      if (entry.compressedSize === 0xffffffff) entry.compressedSize = take();
      if (entry.localHeaderOffset === 0xffffffff) entry.localHeaderOffset = take();
      return;
    }
    at += 4 + length;
  }
}

export class ZipArchive {
  private readonly byName = new Map<string, ZipEntry>();
  private readonly b: Bytes;
  private inflated = 0;

  private constructor(
    data: Uint8Array,
    private readonly limits: ZipLimits,
  ) {
    this.b = new Bytes(data);
    const dir = readDirectory(this.b);
    if (dir.count > limits.maxEntries) throw unsafe(`zip archive lists ${dir.count} entries (more than ${limits.maxEntries})`);
    let at = dir.offset;
    const end = dir.offset + dir.size;
    for (let i = 0; i < dir.count; i++) {
      const entry = this.readCentral(at, end);
      at = entry.next;
      if (this.byName.has(entry.entry.name)) throw unsafe(`zip archive holds two entries named '${entry.entry.name}'`);
      this.byName.set(entry.entry.name, entry.entry);
    }
  }

  static open(data: Uint8Array, limits: Partial<ZipLimits> = {}): ZipArchive {
    return new ZipArchive(data, { ...DEFAULT_ZIP_LIMITS, ...limits });
  }

  get names(): string[] {
    return [...this.byName.keys()];
  }

  entry(name: string): ZipEntry | undefined {
    return this.byName.get(name);
  }

  /**
   * The entry's bytes, checked against its CRC; a view into the archive when stored. With `maxBytes`,
   * an entry declared larger is refused before anything is inflated.
   */
  read(name: string, maxBytes = Infinity): Uint8Array {
    const entry = this.byName.get(name);
    if (!entry) throw malformed(`zip archive has no entry '${name}'`);
    if (entry.size > maxBytes) throw malformed(`zip entry '${name}' is ${entry.size} bytes, over the ${maxBytes} expected at most`);
    const data = this.payload(entry);
    if (crc32(data) !== entry.crc32) throw malformed(`zip entry '${name}' is corrupt (CRC mismatch)`);
    return data;
  }

  private readCentral(at: number, end: number): { entry: ZipEntry; next: number } {
    const b = this.b;
    if (at + CENTRAL_SIZE > end) throw malformed('truncated zip central directory');
    if (b.u32(at) !== SIG.central) throw malformed(`bad zip central record signature at ${at}`);
    const flags = b.u16(at + 8);
    const nameLength = b.u16(at + 28);
    const extraLength = b.u16(at + 30);
    const commentLength = b.u16(at + 32);
    const next = at + CENTRAL_SIZE + nameLength + extraLength + commentLength;
    if (next > end) throw malformed('truncated zip central directory');
    const nameBytes = b.data.subarray(at + CENTRAL_SIZE, at + CENTRAL_SIZE + nameLength);
    const name = Buffer.from(nameBytes).toString(flags & 0x800 ? 'utf8' : 'latin1');
    if (!isSafeEntryName(name)) throw unsafe(`zip entry name '${name}' could escape its folder`);
    if (flags & 0x1) throw malformed(`zip entry '${name}' is encrypted`);
    const entry: ZipEntry = {
      name,
      method: b.u16(at + 10),
      crc32: b.u32(at + 16),
      compressedSize: b.u32(at + 20),
      size: b.u32(at + 24),
      localHeaderOffset: b.u32(at + 42),
    };
    const extraStart = at + CENTRAL_SIZE + nameLength;
    applyZip64(b, extraStart, extraStart + extraLength, entry);
    if (entry.method !== 0 && entry.method !== 8) throw malformed(`zip entry '${name}' uses compression method ${entry.method}`);
    return { entry, next };
  }

  private payload(entry: ZipEntry): Uint8Array {
    const b = this.b;
    const at = entry.localHeaderOffset;
    b.check(at, LOCAL_SIZE, `the local header of '${entry.name}'`);
    if (b.u32(at) !== SIG.local) throw malformed(`bad local header for zip entry '${entry.name}'`);
    const nameLength = b.u16(at + 26);
    const localName = Buffer.from(b.data.subarray(at + LOCAL_SIZE, at + LOCAL_SIZE + nameLength)).toString('utf8');
    if (localName !== entry.name) throw unsafe(`zip entry '${entry.name}' has a different local name '${localName}'`);
    const start = at + LOCAL_SIZE + nameLength + b.u16(at + 28);
    b.check(start, entry.compressedSize, `the data of '${entry.name}'`);
    const raw = b.data.subarray(start, start + entry.compressedSize);
    if (entry.method === 0) {
      if (entry.size !== entry.compressedSize) throw malformed(`stored zip entry '${entry.name}' has two sizes`);
      return raw;
    }
    return this.inflate(entry, raw);
  }

  private inflate(entry: ZipEntry, raw: Uint8Array): Uint8Array {
    const { maxInflatedBytes } = this.limits;
    if (entry.size > maxInflatedBytes || this.inflated + entry.size > maxInflatedBytes) {
      throw unsafe(`zip entry '${entry.name}' would inflate to ${entry.size} bytes (limit ${maxInflatedBytes})`);
    }
    if (entry.size > (entry.compressedSize + 1) * MAX_DEFLATE_RATIO) {
      throw unsafe(`zip entry '${entry.name}' claims an impossible compression ratio`);
    }
    let out: Buffer;
    try {
      // One byte of headroom: inflating past the declared size proves the header lied.
      out = zlib.inflateRawSync(raw, { maxOutputLength: Math.max(1, entry.size + 1) });
    } catch (error) {
      // (Checked by code: errors from node internals may come from another realm.)
      if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
        throw unsafe(`zip entry '${entry.name}' inflates past its declared ${entry.size} bytes`);
      }
      throw malformed(`zip entry '${entry.name}' does not inflate: ${(error as Error).message}`, error);
    }
    if (out.length !== entry.size) {
      throw unsafe(`zip entry '${entry.name}' inflates to ${out.length} bytes, not the declared ${entry.size}`);
    }
    this.inflated += out.length;
    return new Uint8Array(out.buffer, out.byteOffset, out.length);
  }
}
