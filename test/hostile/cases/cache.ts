/** Model names, URLs and downloads from the public API, in a child (environment variables included). */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { resolveModel } from '../../../lib/cache';
import { FastSAM } from '../../../lib/pipeline/fastsam';

/** FastSAM.load('http://[::1/x.pt') threw an untyped TypeError from new URL(). */
export const load = async (model: string): Promise<string> => (await FastSAM.load(model)).source;

/** Downloads a URL into a fresh cache folder (with HTTP_PROXY set by the test) and returns its size. */
export async function fetchInto(url: string, sha256: string): Promise<number> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'fastsam-hostile-cache-'));
  try {
    return fs.statSync(await resolveModel(url, { home, sha256, progress: false, retries: 0, timeoutMs: 5000 })).size;
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
}
