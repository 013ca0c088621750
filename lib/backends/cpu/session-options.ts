/**
 * ONNX Runtime CPU threading, chosen for servers: intra-op threads default to the cores available (split
 * between workers), one inter-op thread, and no spin-waiting. Spinning threads poll for work between
 * operators; on a small machine they take the core the JavaScript thread needs, so the event loop stalls
 * even though inference runs elsewhere (see the README's event-loop table for the trade-off).
 */
import * as os from 'node:os';
import type * as ort from 'onnxruntime-node';
import type { SessionSettings } from './session-messages';

export interface CpuThreadOptions {
  /** Intra-op threads per worker. Default: the available cores divided among the workers (at least 1). */
  threads?: number;
  /** Inter-op threads per worker (parallel branches of the graph). Default 1. */
  interOpThreads?: number;
  /** Let idle ONNX Runtime threads spin-wait for work: a little faster alone, worse beside a server. Default false. */
  spinning?: boolean;
  /** Inference worker threads, each with its own session (memory: one model copy each). Default 1. */
  workers?: number;
}

export function sessionSettings(options: CpuThreadOptions): SessionSettings {
  const workers = options.workers ?? 1;
  return {
    intraOpNumThreads: options.threads ?? Math.max(1, Math.floor(os.availableParallelism() / workers)),
    interOpNumThreads: options.interOpThreads ?? 1,
    spinning: options.spinning ?? false,
  };
}

export function ortSessionOptions(settings: SessionSettings): ort.InferenceSession.SessionOptions {
  const spin = settings.spinning ? '1' : '0';
  return {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
    intraOpNumThreads: settings.intraOpNumThreads,
    interOpNumThreads: settings.interOpNumThreads,
    extra: { session: { intra_op: { allow_spinning: spin }, inter_op: { allow_spinning: spin } } },
  };
}
