/** increment_path: runs/segment/val, then val2, val3, ... unless exist_ok; the folder is created. */
import * as fs from 'node:fs';
import * as path from 'node:path';

export function incrementPath(base: string, existOk = false): string {
  let dir = base;
  if (fs.existsSync(dir) && !existOk) {
    for (let n = 2; n < 9999; n++) {
      dir = `${base}${n}`;
      if (!fs.existsSync(dir)) break;
    }
  }
  fs.mkdirSync(dir, { recursive: true });
  return path.resolve(dir);
}
