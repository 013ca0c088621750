/**
 * fastsam serve model=M [host=127.0.0.1] [port=8000] [clip=DIR] [backend=...]: loads the model (dynamic
 * batching on), listens, prints `listening on http://HOST:PORT` (the port the OS picked for port=0),
 * logs each request as JSON lines on stderr, and drains on SIGINT/SIGTERM: stops accepting, answers the
 * requests in flight, disposes the model and exits 0 (1 when draining ran past drain_timeout_ms).
 */
import type { AddressInfo } from 'node:net';
import { ClipScorer } from '../clip/scorer';
import { FastSAMError } from '../errors';
import type { DynamicBatchingOptions } from '../options/load-options';
import type { CommandSchema, KeySpec, ParsedKeys } from '../options/key-schema';
import { BACKEND_KEYS, MODEL_KEY, PROMPT_KEYS, backendOptionsFromKeys } from '../options/keys';
import { FastSAM } from '../pipeline/fastsam';
import { createServer, SERVE_DEFAULTS, type ServeOptions } from '../serve';

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

const SERVER_KEYS: Record<string, KeySpec> = {
  host: { kind: 'string', help: 'address to listen on (0.0.0.0: every interface)', default: '127.0.0.1' },
  port: { kind: 'integer', help: 'port; 0 lets the OS pick one (the listening line says which)', default: '8000' },
  clip: PROMPT_KEYS.clip,
  name: { kind: 'string', help: 'the model name in the /v2 routes', default: 'fastsam' },
  web: { kind: 'boolean', help: 'serve the web demo at /', default: 'true' },
  log_level: { kind: 'enum', values: LOG_LEVELS, help: 'JSON request logs on stderr (pino)', default: 'info' },
  drain_timeout_ms: { kind: 'integer', help: 'on SIGTERM/SIGINT, time allowed for requests in flight', default: '30000' },
};

const BATCHING_KEYS: Record<string, KeySpec> = {
  max_batch: { kind: 'integer', help: 'dynamic batching: most images per network run', default: "the backend's" },
  max_queue_delay_ms: { kind: 'number', help: 'dynamic batching: how long a request waits for company', default: '2' },
  preferred_batch_sizes: { kind: 'list', group: 1, help: 'dynamic batching: sizes run as soon as they fill', default: 'max_batch' },
  max_queue: { kind: 'integer', help: 'requests waiting at most; past it 503 + Retry-After', default: '256' },
};

const LIMIT_KEYS: Record<string, KeySpec> = {
  timeout_ms: { kind: 'integer', help: 'per-request timeout (504 past it)', default: String(SERVE_DEFAULTS.timeoutMs) },
  max_upload_mb: { kind: 'number', help: 'largest upload (413 past it)', default: String(SERVE_DEFAULTS.maxUploadBytes / 2 ** 20) },
  max_pixels: { kind: 'integer', help: 'largest image in pixels, from its header (413)', default: String(SERVE_DEFAULTS.maxPixels) },
  client_limit: { kind: 'integer', help: 'requests in flight per client IP (429 past it); 0: no limit', default: '0' },
};

export const SERVE_SCHEMA: CommandSchema = {
  name: 'serve',
  summary: 'the HTTP service (/v1/segment, KServe v2, /metrics) and the web demo at /',
  usage: 'model=MODEL.onnx [host=127.0.0.1] [port=8000] [key=value ...]',
  keys: { ...MODEL_KEY, ...SERVER_KEYS, ...BACKEND_KEYS, ...BATCHING_KEYS, ...LIMIT_KEYS },
  flags: {},
  notes: [
    'Routes: POST /v1/segment, GET /v1/info, GET /v2/health/live|ready, /v2/models/NAME[/infer], GET /metrics, GET / (web demo).',
    'Stops on SIGTERM or SIGINT after answering the requests in flight.',
  ],
};

/** The pipeline's dynamic batching knobs (Triton's: max batch, queue delay, preferred sizes, bounded queue). */
function batchingOptions(keys: ParsedKeys): DynamicBatchingOptions {
  const options: DynamicBatchingOptions = {};
  if (keys.max_batch !== undefined) options.maxBatch = keys.max_batch as number;
  if (keys.max_queue_delay_ms !== undefined) options.maxQueueDelayMs = keys.max_queue_delay_ms as number;
  if (keys.preferred_batch_sizes !== undefined) options.preferredBatchSizes = keys.preferred_batch_sizes as number[];
  if (keys.max_queue !== undefined) options.maxQueue = keys.max_queue as number;
  return options;
}

function serveOptions(keys: ParsedKeys, clip: ClipScorer | undefined): ServeOptions {
  const level = (keys.log_level as string | undefined) ?? 'info';
  const maxUploadMb = keys.max_upload_mb as number | undefined;
  return {
    timeoutMs: keys.timeout_ms as number | undefined,
    maxUploadBytes: maxUploadMb === undefined ? undefined : Math.round(maxUploadMb * 2 ** 20),
    maxPixels: keys.max_pixels as number | undefined,
    clientLimit: keys.client_limit as number | undefined,
    name: keys.name as string | undefined,
    web: keys.web as boolean | undefined,
    clip,
    // Structured logs (pino) on stderr: stdout carries only the "listening on" line.
    logger: level === 'silent' ? false : { level, stream: process.stderr },
  };
}

/** Resolves on the first SIGINT or SIGTERM. */
function stopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (signal: NodeJS.Signals) => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(signal);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

export async function serveCommand(keys: ParsedKeys): Promise<number> {
  const host = (keys.host as string | undefined) ?? '127.0.0.1';
  const port = (keys.port as number | undefined) ?? 8000;
  if (port < 0 || port > 65535) throw new FastSAMError('E_BAD_OPTION', `port must be in [0, 65535], got ${port}`);
  const drainTimeoutMs = (keys.drain_timeout_ms as number | undefined) ?? 30000;
  const stopped = stopSignal();

  // Dynamic batching on by default for servers: concurrent requests share network runs.
  const model = await FastSAM.load(keys.model as string, { ...backendOptionsFromKeys(keys), dynamicBatching: batchingOptions(keys) });
  let clip: ClipScorer | undefined;
  try {
    clip = keys.clip ? await ClipScorer.load(keys.clip as string) : undefined;
  } catch (error) {
    await model.dispose();
    throw error;
  }
  let app: ReturnType<typeof createServer>;
  try {
    app = createServer(model, serveOptions(keys, clip));
    await app.listen({ host, port });
  } catch (error) {
    await Promise.all([model.dispose(), clip?.dispose()]);
    if (error instanceof FastSAMError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new FastSAMError('E_BAD_OPTION', `cannot listen on ${host}:${port}: ${code ?? (error as Error).message}`, { cause: error });
  }
  const address = app.server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  console.log(`listening on http://${shownHost}:${address.port}`);

  const signal = await stopped;
  app.log.info({ signal }, 'draining: answering the requests in flight, then exiting');
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    app.log.error({ drainTimeoutMs }, 'drain timed out: closing the remaining connections');
    app.server.closeAllConnections();
  }, drainTimeoutMs);
  await app.close();
  clearTimeout(timer);
  await Promise.all([model.dispose(), clip?.dispose()]);
  return timedOut ? 1 : 0;
}
