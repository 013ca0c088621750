/** SHA-256 of files, and the digest recorded next to a cached model (NAME.sha256, sha256sum's format). */
import { createHash } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import * as path from 'node:path';

export async function fileSha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export interface Recorded {
  sha256: string;
  size: number;
}

const recordPath = (file: string): string => `${file}.sha256`;

/** Reads what recordDigest wrote; undefined when absent or unreadable. */
export async function readDigest(file: string): Promise<Recorded | undefined> {
  const text = await fs.readFile(recordPath(file), 'utf8').catch(() => undefined);
  const digest = text ? /^([0-9a-f]{64}) /.exec(text) : null;
  const size = text ? /^# size (\d+)$/m.exec(text) : null;
  return digest && size ? { sha256: digest[1], size: Number(size[1]) } : undefined;
}

export async function recordDigest(file: string, recorded: Recorded): Promise<void> {
  const temp = `${recordPath(file)}.${process.pid}.tmp`;
  // `sha256sum -c NAME.sha256` checks the first line (and warns about the size line).
  await fs.writeFile(temp, `${recorded.sha256}  ${path.basename(file)}\n# size ${recorded.size}\n`);
  await fs.rename(temp, recordPath(file));
}
