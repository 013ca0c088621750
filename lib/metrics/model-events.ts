/** The model a server or worker serves, and what it reports besides its answers. */
import type { BatchInfo, FastSAM } from '../index';

export type ServedModel = FastSAM;
export type { BatchInfo };

/**
 * Calls `listener` after every backend run of the model; returns the unsubscribe function. The model
 * emits synchronously from its run, so a listener that throws is contained here: metrics never fail a
 * prediction.
 */
export function onBatch(model: ServedModel, listener: (info: BatchInfo) => void): () => void {
  const safe = (info: BatchInfo) => {
    try {
      listener(info);
    } catch (error) {
      process.emitWarning(`fastsam: a batch metrics listener failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  model.on('batch', safe);
  return () => {
    model.off('batch', safe);
  };
}
