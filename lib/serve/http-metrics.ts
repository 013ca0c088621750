/**
 * The HTTP side of /metrics: requests by route and status, and end-to-end latency by route (from the
 * first byte of the request to the last of the answer, upload included). Routes are labelled by their
 * pattern (`/v2/models/:name/infer`), never by the raw URL, so label cardinality stays bounded.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { collectDefaultMetrics, Counter, Histogram, type Registry } from 'prom-client';

const LATENCY_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Status 499 (nginx's "client closed request") for requests whose client left before the answer. */
export const CLIENT_CLOSED = 499;

export function registerHttpMetrics(app: FastifyInstance, registry: Registry, prefix = 'fastsam_'): void {
  collectDefaultMetrics({ register: registry, prefix });
  const registers = [registry];
  const requests = new Counter({
    name: `${prefix}http_requests_total`,
    help: 'HTTP requests by route, method and status',
    labelNames: ['route', 'method', 'status'],
    registers,
  });
  const duration = new Histogram({
    name: `${prefix}http_request_duration_seconds`,
    help: 'End-to-end HTTP latency by route (upload, queue, inference, masks, encoding, sending)',
    labelNames: ['route', 'method'],
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const recorded = new WeakSet<object>();
  const record = (request: FastifyRequest, status: number, seconds: number) => {
    if (recorded.has(request)) return;
    recorded.add(request);
    const route = request.routeOptions.url ?? 'unmatched';
    requests.inc({ route, method: request.method, status: String(status) });
    duration.observe({ route, method: request.method }, seconds);
  };
  // An answer sent...
  app.addHook('onResponse', async (request, reply) => record(request, reply.statusCode, reply.elapsedTime / 1000));
  // ...or a client gone before it: the response closes unfinished, and onResponse never runs.
  app.addHook('onRequest', async (request, reply) => {
    const started = performance.now();
    reply.raw.once('close', () => {
      if (!reply.raw.writableFinished) record(request, CLIENT_CLOSED, (performance.now() - started) / 1000);
    });
  });
}
