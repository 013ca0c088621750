/**
 * One HTTP(S) GET through undici (the client behind Node's own fetch): redirects followed, HTTPS_PROXY /
 * HTTP_PROXY / NO_PROXY honoured (EnvHttpProxyAgent), an idle timeout on the headers and on every gap in
 * the body, and an AbortSignal for the caller's overall deadline. Bodies are asked for as they are stored
 * (no content-encoding), so byte counts match the file.
 *
 * Why undici's dispatcher and not fetch(): undici 7 (the last line for Node 20) crashes the process with an
 * uncatchable AssertionError when a server closes the connection while the parser is paused under
 * backpressure (nodejs/undici#5360, fixed in undici 8, which needs Node 22). A body read through fetch
 * pauses the parser whenever the reader is busy writing to disk, so any server sending
 * 'Connection: close' could take down the process. Here the body is taken as it arrives into a queue, and
 * the parser is paused only when 64 MB are waiting for the disk, which a disk keeping up never reaches.
 */
import { type Dispatcher, EnvHttpProxyAgent, interceptors } from 'undici';

export interface HttpResponse {
  status: number;
  /** A response header (lower-case name), repeated values joined with ', '; null when absent. */
  header(name: string): string | null;
  body: AsyncIterable<Uint8Array>;
  /** The URL asked for (redirects are followed inside). */
  url: string;
  /** Drops the response without reading its body: aborts the request. */
  drop(): void;
}

/** A failure worth retrying (network trouble, 5xx, timeouts) or not (4xx, bad URLs). */
export class HttpError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

const MAX_REDIRECTS = 5;
const PAUSE_AT = 64 * 1024 * 1024;
const RESUME_AT = 16 * 1024 * 1024;

// One dispatcher per idle timeout: they pool connections, and the timeout is a dispatcher setting.
const dispatchers = new Map<number, Dispatcher>();

function dispatcherFor(timeoutMs: number): Dispatcher {
  let dispatcher = dispatchers.get(timeoutMs);
  if (!dispatcher) {
    const agent = new EnvHttpProxyAgent({ headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
    dispatcher = agent.compose(interceptors.redirect({ maxRedirections: MAX_REDIRECTS }));
    dispatchers.set(timeoutMs, dispatcher);
  }
  return dispatcher;
}

// A DNS failure will not heal in seconds: it means offline.
const FATAL_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ERR_INVALID_URL', 'UND_ERR_INVALID_ARG']);
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

/** The innermost code and message of a failure. */
function rootCause(error: unknown): { code?: string; message: string } {
  let current = error as { code?: string; message?: string; cause?: unknown; errors?: unknown[] } | undefined;
  for (let depth = 0; current && depth < 5; depth++) {
    const next = current.cause ?? current.errors?.[0];
    if (current.code || !next) return { code: current.code, message: current.message ?? String(current) };
    current = next as typeof current;
  }
  return { message: String(error) };
}

/** A transport failure as an HttpError with a message that names what happened. */
export function httpFailure(error: unknown, url: URL, timeoutMs: number): HttpError {
  if (error instanceof HttpError) return error;
  const { code, message } = rootCause(error);
  if (code && TIMEOUT_CODES.has(code)) return new HttpError(`no data from ${url.host} for ${timeoutMs} ms`, true);
  if (code === 'UND_ERR_MAX_REDIRECTIONS' || /redirect/i.test(message))
    return new HttpError(`more than ${MAX_REDIRECTS} redirects from ${url.href}`, false);
  const shown = code && !message.includes(code) ? `${code}: ${message}` : message;
  return new HttpError(shown, !(code && FATAL_CODES.has(code)));
}

/** The body as it arrives: never makes the parser wait unless PAUSE_AT bytes are queued. */
class BodyQueue implements AsyncIterable<Uint8Array> {
  private readonly chunks: Uint8Array[] = [];
  private queued = 0;
  private ended = false;
  private error: unknown;
  private wake: (() => void) | undefined;
  controller: Dispatcher.DispatchController | undefined;

  push(chunk: Uint8Array): void {
    this.chunks.push(chunk);
    this.queued += chunk.length;
    if (this.queued >= PAUSE_AT) this.controller?.pause();
    this.notify();
  }

  end(): void {
    this.ended = true;
    this.notify();
  }

  fail(error: unknown): void {
    this.error = error;
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    for (;;) {
      const chunk = this.chunks.shift();
      if (chunk) {
        this.queued -= chunk.length;
        if (this.controller?.paused && this.queued <= RESUME_AT) this.controller.resume();
        yield chunk;
        continue;
      }
      if (this.error !== undefined) throw this.error;
      if (this.ended) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }
}

function headerOf(headers: Record<string, string | string[] | undefined>, name: string): string | null {
  const value = headers[name];
  if (value === undefined) return null;
  return Array.isArray(value) ? value.join(', ') : value;
}

export function httpGet(href: string, headers: Record<string, string>, timeoutMs: number, signal?: AbortSignal): Promise<HttpResponse> {
  const url = new URL(href);
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    return Promise.reject(new HttpError(`unsupported URL scheme in ${url.href}`, false));
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const body = new BodyQueue();
    let started = false;
    let controller: Dispatcher.DispatchController | undefined;
    const fail = (error: unknown): void => {
      const reason = signal?.aborted ? signal.reason : httpFailure(error, url, timeoutMs);
      if (started) body.fail(reason);
      else reject(reason);
    };
    const onAbort = (): void => controller?.abort(signal?.reason as Error);
    signal?.addEventListener('abort', onAbort, { once: true });
    const done = (): void => signal?.removeEventListener('abort', onAbort);
    const handler: Dispatcher.DispatchHandler = {
      onRequestStart(c) {
        controller = c;
        body.controller = c;
        if (signal?.aborted) c.abort(signal.reason as Error);
      },
      onResponseStart(_, statusCode, responseHeaders) {
        started = true;
        const values = responseHeaders as Record<string, string | string[] | undefined>;
        resolve({
          status: statusCode,
          header: (name) => headerOf(values, name),
          body,
          url: url.href,
          drop: () => controller?.abort(new HttpError('response dropped', false)),
        });
      },
      onResponseData(_, chunk) {
        body.push(chunk);
      },
      onResponseEnd() {
        done();
        body.end();
      },
      onResponseError(_, error) {
        done();
        fail(error);
      },
    };
    try {
      dispatcherFor(timeoutMs).dispatch(
        {
          origin: url.origin,
          path: `${url.pathname}${url.search}`,
          method: 'GET',
          headers: { 'user-agent': 'fastsam-node', 'accept-encoding': 'identity', ...headers },
        },
        handler,
      );
    } catch (error) {
      done();
      fail(error);
    }
  });
}
