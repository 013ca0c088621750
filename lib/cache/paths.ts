/** Where cached models live: $FASTSAM_HOME, else ~/.cache/fastsam-node. */
import * as os from 'node:os';
import * as path from 'node:path';

export function cacheHome(home?: string): string {
  return path.resolve(home ?? process.env.FASTSAM_HOME ?? path.join(os.homedir(), '.cache', 'fastsam-node'));
}

/** A plain file name ('FastSAM-s.pt'): no folders, nothing hidden. */
export function isBareName(name: string): boolean {
  return /^[A-Za-z0-9_][A-Za-z0-9._-]*$/.test(name) && !name.includes('..');
}
