/**
 * createServer(model, options): the FastSAM HTTP service as a Fastify instance, to listen() on or to
 * mount in an app. `model` may be a promise: the server answers health checks while it loads
 * (/v2/health/ready is 503 until then). close() drains: new requests are refused with 503 and
 * `Connection: close`, requests in flight are answered, then the server stops. The model stays the
 * caller's: close() does not dispose it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import fastifyMultipart from '@fastify/multipart';
import Fastify, { type FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import type { FastSAM } from '../index';
import { SegmentEncoder } from '../formats/segment-encoder';
import { ModelMetrics } from '../metrics';
import { ClientLimit } from './client-limit';
import { errorHandler, HttpError, notFoundHandler } from './errors';
import { registerHttpMetrics } from './http-metrics';
import { Lifecycle } from './lifecycle';
import { kserveRoutes } from './routes/kserve';
import { segmentRoutes } from './routes/segment';
import { webRoutes } from './routes/web';
import type { ServeContext } from './serve-context';
import { resolveServeOptions, type ServeOptions } from './serve-options';
import { multipartLimits } from './upload';

function packageVersion(): string {
  try {
    const file = path.resolve(__dirname, '..', '..', 'package.json');
    return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** Raw image bodies: `image/*` (vector formats refused) and application/octet-stream (also /v2 binary tensors). */
function addBodyParsers(app: FastifyInstance): void {
  const asBuffer = { parseAs: 'buffer' as const };
  app.addContentTypeParser(/^image\/[\w.+-]+$/, asBuffer, (request, body, done) => {
    if (/svg|pdf/i.test(request.headers['content-type'] ?? '')) {
      done(new HttpError(415, 'E_UNSUPPORTED_MEDIA_TYPE', 'vector images are not accepted: send JPEG, PNG, WebP, GIF, TIFF or AVIF'));
    } else done(null, body);
  });
  app.addContentTypeParser(['application/octet-stream', 'application/vnd.sagemaker-triton.binary+json'], asBuffer, (_request, body, done) =>
    done(null, body),
  );
}

/**
 * The FastSAM HTTP service as a Fastify instance, to listen() on or to register routes beside: POST /v1/segment, the KServe v2
 * routes, /metrics and the web demo at `/`. `model` may be a promise: health checks answer (503 not ready) while it loads.
 * close() drains: new requests get 503, those in flight are answered. The model stays yours: close() does not dispose it. Throws
 * E_BAD_OPTION for bad options.
 */
export function createServer(model: FastSAM | Promise<FastSAM>, serveOptions: ServeOptions = {}): FastifyInstance {
  const options = resolveServeOptions(serveOptions);
  const app = Fastify({
    logger: options.logger,
    trustProxy: options.trustProxy,
    bodyLimit: options.maxUploadBytes,
    requestIdHeader: 'x-request-id',
    // Draining is ours: every answer keeps the one error body, and health stays answerable.
    return503OnClosing: false,
    forceCloseConnections: 'idle',
  });
  const registry = new Registry();
  let modelMetrics: ModelMetrics | undefined;
  const lifecycle = new Lifecycle(model, options.retryAfterSeconds, (error) => app.log.error({ err: error }, 'the model failed to load'));
  void Promise.resolve(model).then(
    (loaded) => {
      modelMetrics = new ModelMetrics(registry, loaded);
    },
    () => undefined, // reported by the lifecycle
  );
  const context: ServeContext = {
    options,
    lifecycle,
    clientLimit: new ClientLimit(options.clientLimit, options.retryAfterSeconds),
    registry,
    modelMetrics: () => modelMetrics,
    encoder: new SegmentEncoder(),
    version: packageVersion(),
  };

  app.setErrorHandler(errorHandler(options.retryAfterSeconds));
  app.setNotFoundHandler(notFoundHandler);
  addBodyParsers(app);
  void app.register(fastifyMultipart, { limits: multipartLimits(options), throwFileSizeLimit: true });
  registerHttpMetrics(app, registry);

  app.addHook('onSend', async (request, reply) => {
    void reply.header('x-content-type-options', 'nosniff').header('x-request-id', request.id);
    // While draining, every answer (in flight ones included) closes its connection, so close() ends.
    if (lifecycle.state === 'draining') void reply.header('connection', 'close');
  });
  app.addHook('preClose', async () => {
    lifecycle.drain();
  });
  app.addHook('onClose', async () => {
    modelMetrics?.close();
    await context.encoder.close();
  });

  app.get('/metrics', async (_request, reply) => reply.type(registry.contentType).send(await registry.metrics()));
  segmentRoutes(app, context);
  kserveRoutes(app, context);
  if (options.web) webRoutes(app);
  return app;
}
