/**
 * A cross-process lock (proper-lockfile: an atomic mkdir of DEST.lock, refreshed while held) so that two
 * processes never download the same model at once: the second waits and then finds the file in the cache.
 * A lock nobody refreshes for `staleMs` (its holder died) is taken over.
 *
 * Two waiters can still both judge a lock stale in the same instant: then one usually fails to take it
 * (ENOENT, retried here), and otherwise proper-lockfile sees at the holder's next refresh that the lock is
 * no longer its own ("compromised"): that holder's work is aborted through the signal it was given. The
 * lock saves duplicate work; downloads do not rely on it for correctness (each writes a file of its own).
 */
import lockfile from 'proper-lockfile';

export interface LockOptions {
  /** A lock not refreshed for this long is stale. Default 20 s (proper-lockfile refreshes every staleMs / 2). */
  staleMs?: number;
  /** How often a waiter tries again. Default 200 ms. */
  pollMs?: number;
  /** Gives up waiting (and aborts the work) when this aborts. */
  signal?: AbortSignal;
}

export class LockLost extends Error {
  constructor(lock: string, cause: unknown) {
    super(`the lock ${lock} was taken over by another process`, { cause });
    this.name = 'LockLost';
  }
}

const RETRY = new Set(['ELOCKED', 'ENOENT', 'ENOTEMPTY']);

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });
}

/** Runs `fn` holding `lock` (a path; the lock is a folder there); waits while another holder is alive. */
export async function withLock<T>(lock: string, fn: (signal: AbortSignal) => Promise<T>, options: LockOptions = {}): Promise<T> {
  const staleMs = Math.max(options.staleMs ?? 20_000, 2000); // proper-lockfile's own minimum
  const pollMs = options.pollMs ?? 200;
  const lost = new AbortController();
  let release: () => Promise<void>;
  for (;;) {
    options.signal?.throwIfAborted();
    try {
      // The locked "file" is the lock path itself (it need not exist): realpath off, lockfilePath exact.
      release = await lockfile.lock(lock, {
        lockfilePath: lock,
        realpath: false,
        stale: staleMs,
        onCompromised: (error) => lost.abort(new LockLost(lock, error)),
      });
      break;
    } catch (error) {
      // ELOCKED: held. ENOENT / ENOTEMPTY: another waiter took a stale lock over under us; try again.
      if (!RETRY.has((error as NodeJS.ErrnoException).code ?? '')) throw error;
      await sleep(pollMs, options.signal);
    }
  }
  const signal = options.signal ? AbortSignal.any([lost.signal, options.signal]) : lost.signal;
  try {
    const result = await fn(signal);
    lost.signal.throwIfAborted();
    return result;
  } finally {
    await release().catch(() => undefined); // a compromised lock is no longer ours to release
  }
}
