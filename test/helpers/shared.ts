/** Access to ../shared (golden vectors, real images and models): tests skip, saying why, without it. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';

// FASTSAM_SHARED_DIR points elsewhere (e.g. a copy carried to a GPU machine); default: beside the checkout.
export const SHARED_DIR = path.resolve(process.env.FASTSAM_SHARED_DIR ?? path.join(__dirname, '../../../shared'));

export function sharedPath(...parts: string[]): string {
  return path.join(SHARED_DIR, ...parts);
}

export function hasShared(...parts: string[]): boolean {
  return fs.existsSync(sharedPath(...parts));
}

/** `describe` when the shared file exists, else a skipped block that says what is missing. */
export function describeWithShared(relPath: string, name: string, body: () => void): void {
  if (hasShared(relPath)) {
    describe(name, body);
  } else {
    // The body is not run at all: it may read the missing files while collecting its tests.
    describe.skip(`${name} (skipped: ${sharedPath(relPath)} is absent)`, () => {
      test(`needs ${sharedPath(relPath)}`, () => undefined);
    });
    // eslint-disable-next-line no-console
    console.warn(`skipping "${name}": ${sharedPath(relPath)} is absent`);
  }
}

export function readGzipJson<T>(file: string): T {
  return JSON.parse(zlib.gunzipSync(fs.readFileSync(file)).toString('utf8')) as T;
}

/** A little-endian float32 C-order .npy file (v1 or v2 header). */
export function readNpyFloat32(file: string): { data: Float32Array; dims: number[] } {
  const bytes = fs.readFileSync(file);
  if (bytes.toString('latin1', 1, 6) !== 'NUMPY') throw new Error(`${file} is not a .npy file`);
  const major = bytes[6];
  const headerLen = major === 1 ? bytes.readUInt16LE(8) : bytes.readUInt32LE(8);
  const headerStart = major === 1 ? 10 : 12;
  const header = bytes.toString('latin1', headerStart, headerStart + headerLen);
  if (!header.includes("'descr': '<f4'") || header.includes("'fortran_order': True")) {
    throw new Error(`${file}: only little-endian float32 C-order arrays are supported (${header})`);
  }
  const shapeText = /'shape': \(([^)]*)\)/.exec(header)?.[1] ?? '';
  const dims = shapeText.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  const offset = headerStart + headerLen;
  const copy = new Uint8Array(bytes.subarray(offset)); // aligned copy for the Float32Array view
  return { data: new Float32Array(copy.buffer, 0, copy.byteLength / 4), dims };
}
