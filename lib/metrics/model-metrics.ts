/**
 * Prometheus metrics of a model serving requests, for any process that serves one: the HTTP server and
 * the queue workers register the same series, so one dashboard reads both. Named after what Triton
 * exports (queue time, compute time, batch sizes, successes and failures), in seconds as Prometheus
 * wants, on a registry the caller owns (never the global one: two servers in one process must not clash).
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { type BatchInfo, onBatch, type ServedModel } from './model-events';

/** How a prediction ended, as a label: success, or the error's kind. */
export type PredictionOutcome = 'success' | 'bad_input' | 'overloaded' | 'aborted' | 'failure';

export interface ModelMetricsOptions {
  /** Prefix of every series. Default 'fastsam_'. */
  prefix?: string;
}

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const BATCH_BUCKETS = [1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 64];

export class ModelMetrics {
  private readonly predictions: Counter<'outcome'>;
  private readonly predictionSeconds: Histogram<'outcome'>;
  private readonly unsubscribe: () => void;

  constructor(registry: Registry, model: ServedModel, options: ModelMetricsOptions = {}) {
    const prefix = options.prefix ?? 'fastsam_';
    const registers = [registry];
    new Gauge({
      name: `${prefix}queue_depth`,
      help: 'Images waiting for the network in the dynamic batching queue',
      registers,
      collect() {
        this.set(model.queueDepth);
      },
    });
    const batchSize = new Histogram({ name: `${prefix}batch_size`, help: 'Images per network run', buckets: BATCH_BUCKETS, registers });
    const batchRequests = new Histogram({
      name: `${prefix}batch_requests`,
      help: 'Requests sharing one network run (dynamic batching at work when above 1)',
      buckets: BATCH_BUCKETS,
      registers,
    });
    const queueSeconds = new Histogram({
      name: `${prefix}queue_duration_seconds`,
      help: 'Time a batch waited in the queue before the network ran it',
      buckets: LATENCY_BUCKETS,
      registers,
    });
    const inferenceSeconds = new Histogram({
      name: `${prefix}inference_duration_seconds`,
      help: "The backend's time for one batch (network; on TensorRT also its letterbox and masks)",
      buckets: LATENCY_BUCKETS,
      registers,
    });
    const images = new Counter({ name: `${prefix}inference_images_total`, help: 'Images run through the network', registers });
    this.predictions = new Counter({
      name: `${prefix}predictions_total`,
      help: 'Predictions by outcome (success, bad_input, overloaded, aborted, failure)',
      labelNames: ['outcome'],
      registers,
    });
    this.predictionSeconds = new Histogram({
      name: `${prefix}prediction_duration_seconds`,
      help: 'One request from submission to its answer (queue, network, masks, prompt and encoding)',
      labelNames: ['outcome'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.unsubscribe = onBatch(model, (info: BatchInfo) => {
      batchSize.observe(info.size);
      batchRequests.observe(info.requests);
      images.inc(info.size);
      queueSeconds.observe(info.queueMs / 1000);
      inferenceSeconds.observe(info.times.inference / 1000);
    });
  }

  /** Records one finished prediction (a request, a job). */
  observePrediction(outcome: PredictionOutcome, milliseconds: number): void {
    this.predictions.inc({ outcome });
    this.predictionSeconds.observe({ outcome }, milliseconds / 1000);
  }

  /** Stops listening to the model's batches. */
  close(): void {
    this.unsubscribe();
  }
}

/** The outcome label of an error code (FastSAMError codes). */
export function outcomeOf(code: string | undefined): PredictionOutcome {
  if (code === 'E_OVERLOADED') return 'overloaded';
  if (code === 'E_ABORTED') return 'aborted';
  if (
    code === 'E_BAD_OPTION' ||
    code === 'E_BAD_PROMPT' ||
    code === 'E_BAD_SOURCE' ||
    code === 'E_IMAGE_DECODE' ||
    code === 'E_IMAGE_TOO_LARGE'
  ) {
    return 'bad_input';
  }
  return 'failure';
}
