/**
 * What a serving layer reads from a model besides predict(): its batches (`model.on('batch', ...)`) and
 * its queue depth (`model.queueDepth`). These come with the dynamic-batching rework of lib/pipeline;
 * until a model has them, the metrics read nothing rather than failing. This file is the one place that
 * knows they may be missing: when every FastSAM has them, onBatch and queueDepth become direct calls.
 */
import type { FastSAM } from '../pipeline/fastsam';

/** One network run of the dynamic batcher. */
export interface BatchInfo {
  /** Images in the batch. */
  size: number;
  /** How long the batch's first image waited in the queue, in milliseconds. */
  queueMs: number;
  /** Network time of the batch, in milliseconds. */
  inferenceMs: number;
}

interface BatchEvents {
  on?(event: 'batch', listener: (info: BatchInfo) => void): unknown;
  off?(event: 'batch', listener: (info: BatchInfo) => void): unknown;
  readonly queueDepth?: number;
}

/** The model a server or worker serves. */
export type ServedModel = FastSAM;

/** Calls `listener` after every batch the model runs; returns the unsubscribe function. */
export function onBatch(model: ServedModel, listener: (info: BatchInfo) => void): () => void {
  const events = model as unknown as BatchEvents;
  if (typeof events.on !== 'function') return () => undefined;
  events.on('batch', listener);
  return () => {
    events.off?.('batch', listener);
  };
}

/** Images waiting in the model's queue (0 for a model without a queue). */
export function queueDepth(model: ServedModel): number {
  const depth = (model as unknown as BatchEvents).queueDepth;
  return typeof depth === 'number' ? depth : 0;
}

/** Whether predict() takes { signal } (the pipeline rework): until then a request cannot be abandoned. */
export function acceptsSignal(model: ServedModel): boolean {
  return typeof (model as unknown as BatchEvents).queueDepth === 'number';
}
