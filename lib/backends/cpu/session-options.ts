/**
 * ONNX Runtime CPU threading, chosen for servers: intra-op threads default to the cores available (split
 * between workers), one inter-op thread, and no spin-waiting. Spinning threads poll for work between
 * operators; on a small machine they take the core the JavaScript thread needs, so the event loop stalls
 * even though inference runs elsewhere (see the README's event-loop table for the trade-off).
 */
import * as os from 'node:os';
import type * as ort from 'onnxruntime-node';
import type { CpuThreadOptions } from '../../options/load-options';
import { DEFAULT_NICE } from '../../threads/priority';
import type { SessionSettings } from './session-messages';

export function sessionSettings(options: CpuThreadOptions): SessionSettings {
  const workers = options.workers ?? 1;
  return {
    intraOpNumThreads: options.threads ?? Math.max(1, Math.floor(os.availableParallelism() / workers)),
    interOpNumThreads: options.interOpThreads ?? 1,
    spinning: options.spinning ?? false,
    nice: options.nice ?? DEFAULT_NICE,
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
