/**
 * A lock file (DEST.lock, created exclusively) so that two processes never download the same model at
 * once: the second waits and then finds the file in the cache. A lock whose process is gone, or that
 * has not been touched for a while, is stale and taken over.
 */
import { promises as fs } from 'node:fs';

export interface LockOptions {
  /** A lock older than this (no heartbeat) is stale. */
  staleMs?: number;
  pollMs?: number;
}

const HEARTBEAT_MS = 5000;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function isStale(lock: string, staleMs: number): Promise<boolean> {
  const [text, stat] = await Promise.all([fs.readFile(lock, 'utf8').catch(() => ''), fs.stat(lock).catch(() => undefined)]);
  if (!stat) return false; // gone already: just retry
  const pid = Number(text.trim());
  if (Number.isInteger(pid) && pid > 0 && !alive(pid)) return true;
  return Date.now() - stat.mtimeMs > staleMs;
}

/** Runs `fn` holding `lock`; waits while another holder is alive. */
export async function withLock<T>(lock: string, fn: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const staleMs = options.staleMs ?? 60_000;
  const pollMs = options.pollMs ?? 200;
  for (;;) {
    try {
      const handle = await fs.open(lock, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (await isStale(lock, staleMs)) await fs.rm(lock, { force: true });
      else await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  }
  const heartbeat = setInterval(() => {
    const now = new Date();
    fs.utimes(lock, now, now).catch(() => undefined);
  }, HEARTBEAT_MS);
  heartbeat.unref();
  try {
    return await fn();
  } finally {
    clearInterval(heartbeat);
    await fs.rm(lock, { force: true });
  }
}
