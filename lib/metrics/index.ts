/** Prometheus metrics shared by the services that serve a model (HTTP server, queue workers). */
export { ModelMetrics, outcomeOf } from './model-metrics';
export type { ModelMetricsOptions, PredictionOutcome } from './model-metrics';
export { onBatch } from './model-events';
export type { BatchInfo, ServedModel } from './model-events';
