/** What the routes of one server share: its resolved options, state, limits and metrics. */
import type { Registry } from 'prom-client';
import type { SegmentEncoder } from '../formats/segment-encoder';
import type { ModelMetrics } from '../metrics';
import type { ClientLimit } from './client-limit';
import type { Lifecycle } from './lifecycle';
import type { ResolvedServeOptions } from './serve-options';

export interface ServeContext {
  options: ResolvedServeOptions;
  lifecycle: Lifecycle;
  clientLimit: ClientLimit;
  registry: Registry;
  /** The model's metrics, once the model is loaded. */
  modelMetrics(): ModelMetrics | undefined;
  /** Builds JSON answers on a worker thread. */
  encoder: SegmentEncoder;
  /** The package version, for /v2 server metadata. */
  version: string;
}
