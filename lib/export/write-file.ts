/** Writes a file so that readers never see it half-written: a temporary file in the same folder, then rename. */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

export async function writeFileAtomic(file: string, parts: readonly Uint8Array[]): Promise<void> {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const handle = await fs.open(temp, 'wx');
  try {
    try {
      // writev takes at most IOV_MAX buffers per call; go in slices.
      for (let i = 0; i < parts.length; i += 512) await handle.writev(parts.slice(i, i + 512));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, file);
  } catch (error) {
    await fs.rm(temp, { force: true });
    throw error;
  }
}
