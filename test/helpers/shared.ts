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
    console.warn(`skipping "${name}": ${sharedPath(relPath)} is absent`);
  }
}

export function readGzipJson<T>(file: string): T {
  return JSON.parse(zlib.gunzipSync(fs.readFileSync(file)).toString('utf8')) as T;
}

export { readNpyFloat32 } from '../../scripts/fixtures/npy';
