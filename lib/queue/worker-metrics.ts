/**
 * A worker's Prometheus metrics: the model's own series (lib/metrics, the same the HTTP server
 * exports: batch sizes, time in the batching queue and on the network, predictions by outcome), plus
 * what only a job queue has, named fastsam_job*: jobs in Redis by state (queue depth and active, the
 * whole queue as every worker sees it), this worker's job attempts by outcome, how long jobs waited for
 * a worker, each stage of a job, and answer sizes. Sum the counters over workers in Prometheus.
 */
import type { Job, Queue } from 'bullmq';
import { collectDefaultMetrics, Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { ModelMetrics, outcomeOf } from '../metrics';
import type { FastSAM } from '../pipeline/fastsam';
import type { JobStage } from './segment-job';

const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];
const BYTES = [1e3, 1e4, 1e5, 1e6, 1e7, 1e8];
/** The states of BullMQ's getJobCounts() that a dashboard needs. */
const STATES = ['waiting', 'prioritized', 'delayed', 'active', 'failed'] as const;

/** How a job attempt ended, from this worker's point of view. */
export type JobOutcome = 'completed' | 'failed' | 'retried' | 'handed_back';

export class WorkerMetrics {
  private readonly model: ModelMetrics;
  private readonly jobs: Counter<'outcome'>;
  private readonly wait: Histogram;
  private readonly stages: Histogram<'stage'>;
  private readonly answerBytes: Histogram;

  constructor(registry: Registry, model: FastSAM, queue: Queue, prefix = 'fastsam_') {
    const registers = [registry];
    collectDefaultMetrics({ register: registry, prefix });
    this.model = new ModelMetrics(registry, model, { prefix });
    new Gauge({
      name: `${prefix}jobs`,
      help: 'Jobs in the Redis queue by state (waiting, prioritized, delayed, active, failed), for the whole queue',
      labelNames: ['state'],
      registers,
      async collect() {
        try {
          const counts = await queue.getJobCounts(...STATES);
          for (const state of STATES) this.set({ state }, counts[state] ?? 0);
        } catch {
          this.reset(); // Redis is away: report nothing rather than stale numbers
        }
      },
    });
    this.jobs = new Counter({
      name: `${prefix}jobs_total`,
      help: "This worker's job attempts by outcome (completed, failed for good, retried later, handed back on shutdown)",
      labelNames: ['outcome'],
      registers,
    });
    this.wait = new Histogram({
      name: `${prefix}job_wait_seconds`,
      help: 'From submission to a worker taking the job (first attempts)',
      buckets: SECONDS,
      registers,
    });
    this.stages = new Histogram({
      name: `${prefix}job_stage_seconds`,
      help: 'Stages of a job in the worker: read (image), predict (with batching), prompt, encode (answer JSON), store',
      labelNames: ['stage'],
      buckets: SECONDS,
      registers,
    });
    this.answerBytes = new Histogram({
      name: `${prefix}job_answer_bytes`,
      help: 'Size of the answers stored in Redis',
      buckets: BYTES,
      registers,
    });
  }

  /** A job was taken: how long it waited (first attempts: a retry's wait includes its earlier tries). */
  taken(job: Job): void {
    if (job.attemptsStarted <= 1 && job.processedOn) this.wait.observe(Math.max(job.processedOn - job.timestamp, 0) / 1000);
  }

  stage(stage: JobStage, milliseconds: number): void {
    this.stages.observe({ stage }, milliseconds / 1000);
  }

  /** One attempt ended: as a prediction (shared series) and as a job. */
  attempt(code: string | undefined, milliseconds: number, outcome: JobOutcome, answerBytes = 0): void {
    this.model.observePrediction(code === undefined ? 'success' : outcomeOf(code), milliseconds);
    this.jobs.inc({ outcome });
    if (answerBytes > 0) this.answerBytes.observe(answerBytes);
  }

  close(): void {
    this.model.close();
  }
}
