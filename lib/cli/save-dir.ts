/** Ultralytics' run folders: runs/segment/predict, predict2, predict3, ... unless exist_ok. */
import * as path from 'node:path';

export { incrementPath } from '../val/save-dir';

export function runDir(values: Record<string, string>, task: string, mode: string): string {
  return path.join(values.project ?? path.join('runs', task), values.name ?? mode);
}
