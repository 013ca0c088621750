/**
 * A worker's HTTP side, for operators: `GET /metrics` (Prometheus text), `GET /health/live` (the
 * process answers) and `GET /health/ready` (it takes jobs; 503 while starting or draining). Plain
 * node:http: a worker serves no other requests, so it needs no framework.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { FastSAMError, messageOf } from '../errors';

/** A running metrics server (startMetricsServer()). */
export interface MetricsServer {
  /** Where it listens, e.g. "http://127.0.0.1:9464" (the real port when 0 was asked for). */
  url: string;
  /** Stops listening and closes idle connections. */
  close(): Promise<void>;
}

/**
 * Serves a worker's Prometheus registry (`worker.metrics`) over plain HTTP: GET /metrics, /health/live, and /health/ready (503
 * while `ready()` is false). Port 0 picks a free port. Throws E_BAD_OPTION when it cannot listen on host:port.
 */
export async function startMetricsServer(
  registry: Registry,
  { host, port, ready }: { host: string; port: number; ready: () => boolean },
): Promise<MetricsServer> {
  const server = http.createServer((request, response) => {
    const url = (request.url ?? '/').split('?')[0];
    const send = (status: number, type: string, body: string) => {
      response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      response.end(body);
    };
    if (request.method !== 'GET' && request.method !== 'HEAD') return send(405, 'text/plain', 'method not allowed\n');
    if (url === '/health/live') return send(200, 'text/plain', 'live\n');
    if (url === '/health/ready') return ready() ? send(200, 'text/plain', 'ready\n') : send(503, 'text/plain', 'not ready\n');
    if (url !== '/metrics') return send(404, 'text/plain', 'not found: GET /metrics, /health/live or /health/ready\n');
    registry.metrics().then(
      (text) => send(200, registry.contentType, text),
      (error: unknown) => send(500, 'text/plain', `metrics failed: ${messageOf(error)}\n`),
    );
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(new FastSAMError('E_BAD_OPTION', `cannot serve metrics on ${host}:${port}: ${error.code ?? error.message}`, { cause: error })),
    );
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shown}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
