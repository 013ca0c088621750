/**
 * `fastsam serve` as an API: a Fastify instance with /v1/segment, the KServe v2 routes, /metrics and
 * the web demo.
 *
 *   const model = await FastSAM.load('FastSAM-s.onnx', { dynamicBatching: true });
 *   const app = createServer(model, { clientLimit: 4 });
 *   await app.listen({ port: 8000 });
 *
 * @module fastsam-node/serve
 */
export { createServer } from './server';
export type { ServeOptions } from './serve-options';
export { SERVE_DEFAULTS } from './serve-options';
export type { ErrorBody, ServeErrorCode } from './errors';
export type { ServerState } from './lifecycle';
