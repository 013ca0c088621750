/** Ultralytics' run folders: runs/segment/predict, predict2, predict3, ... unless exist_ok. */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

export async function incrementPath(base: string, existOk: boolean): Promise<string> {
  const exists = async (p: string) => fs.stat(p).then(() => true, () => false);
  let candidate = base;
  if (!existOk) {
    for (let n = 2; await exists(candidate); n++) candidate = `${base}${n}`;
  }
  await fs.mkdir(candidate, { recursive: true });
  return candidate;
}

export function runDir(values: Record<string, string>, task: string, mode: string): string {
  return path.join(values.project ?? path.join('runs', task), values.name ?? mode);
}
