/**
 * Ultralytics' run folders: runs/segment/predict, predict2, predict3, ... unless exist_ok. Created one
 * level at a time: Node's recursive mkdir never returns on a path under /proc, and a `project=` that
 * names a file must be a one-line error, not a stack trace.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FastSAMError } from '../errors';
import type { ParsedKeys } from '../options/key-schema';

function makeDirectory(dir: string): void {
  const parts: string[] = [];
  let at = path.resolve(dir);
  while (!fs.existsSync(at)) {
    parts.unshift(at);
    const parent = path.dirname(at);
    if (parent === at) break;
    at = parent;
  }
  for (const part of [at, ...parts]) {
    try {
      if (part === at && fs.existsSync(part)) {
        if (!fs.statSync(part).isDirectory()) throw Object.assign(new Error(`${part} is not a folder`), { code: 'ENOTDIR' });
        continue;
      }
      fs.mkdirSync(part);
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      throw new FastSAMError('E_BAD_OPTION', `cannot create the output folder ${dir} (${reason} at ${part})`, { cause: error });
    }
  }
}

/** increment_path: `base`, then base2, base3, ... unless existOk; the folder is created. */
export function incrementPath(base: string, existOk = false): string {
  let dir = base;
  if (fs.existsSync(dir) && !existOk) {
    for (let n = 2; fs.existsSync(dir); n++) {
      if (n > 9999) throw new FastSAMError('E_BAD_OPTION', `${base}2 ... ${base}9999 all exist: choose another name=`);
      dir = `${base}${n}`;
    }
  }
  makeDirectory(dir);
  return path.resolve(dir);
}

/** project/name from the keys (runs/TASK/MODE by default), numbered and created. */
export function runFolder(keys: ParsedKeys, task: string, mode: string): string {
  const base = path.join((keys.project as string | undefined) ?? path.join('runs', task), (keys.name as string | undefined) ?? mode);
  return incrementPath(base, (keys.exist_ok as boolean | undefined) ?? false);
}
