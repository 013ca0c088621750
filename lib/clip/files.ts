/** File access for CLIP assets: every failure is a FastSAMError that names the file and what it was for. */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { FastSAMError, messageOf } from '../errors';

/** Reads a file; a missing one is E_FILE_NOT_FOUND naming `what` it should have been. */
export async function readAsset(file: string, what: string): Promise<Buffer> {
  try {
    return await fs.readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR') {
      throw new FastSAMError('E_FILE_NOT_FOUND', `${what} not found: ${file}`, { cause: error });
    }
    throw new FastSAMError('E_MODEL_FORMAT', `cannot read ${what} ${file}: ${messageOf(error)}`, { cause: error });
  }
}

export async function isDirectory(file: string): Promise<boolean> {
  try {
    return (await fs.stat(file)).isDirectory();
  } catch {
    return false;
  }
}

export async function isFile(file: string): Promise<boolean> {
  try {
    return (await fs.stat(file)).isFile();
  } catch {
    return false;
  }
}

/** The first directory of `dirs` that holds every one of `names`, or undefined. */
export async function findTogether(dirs: readonly string[], names: readonly string[]): Promise<string | undefined> {
  for (const dir of dirs) {
    const present = await Promise.all(names.map((name) => isFile(path.join(dir, name))));
    if (present.every(Boolean)) return dir;
  }
  return undefined;
}

/** E_MODEL_FORMAT in one shape everywhere: the file, what was expected, what was found. */
export function formatError(file: string, expected: string, found: string, cause?: unknown): FastSAMError {
  return new FastSAMError('E_MODEL_FORMAT', `${file}: expected ${expected}; found ${found}`, cause ? { cause } : undefined);
}
