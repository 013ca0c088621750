/**
 * bullmq and ioredis are optional peer dependencies: the library and its other commands never load
 * them, and an install that does not use the queue does not carry them. Importing the queue without
 * them fails here, saying what to install, instead of with a bare "Cannot find module".
 */
import { FastSAMError } from '../errors';

const PEERS = { bullmq: 'bullmq@^6.7.0', ioredis: 'ioredis@^6.0.0' };

const missing = Object.entries(PEERS).filter(([name]) => {
  try {
    require.resolve(name);
    return false;
  } catch {
    return true;
  }
});
if (missing.length > 0) {
  throw new FastSAMError(
    'E_BACKEND_UNAVAILABLE',
    `the queue needs ${missing.map(([name]) => name).join(' and ')} beside fastsam-node: npm install ${missing.map(([, spec]) => spec).join(' ')}`,
  );
}
