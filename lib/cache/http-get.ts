/**
 * One HTTP(S) GET through undici (the client behind Node's own fetch): redirects followed, HTTPS_PROXY /
 * HTTP_PROXY / NO_PROXY honoured (EnvHttpProxyAgent), an idle timeout on the headers and on every gap in
 * the body, and an AbortSignal for the caller's overall deadline. Bodies are asked for as they are stored
 * (no content-encoding), so byte counts match the file.
 */
import { EnvHttpProxyAgent, fetch, type Response } from 'undici';

export interface HttpResponse {
  status: number;
  headers: Response['headers'];
  /** The body; cancel() it when not reading it. */
  body: Response['body'];
  /** The URL that answered, after redirects. */
  url: string;
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

// One agent per idle timeout: agents pool connections, and the timeout is an agent setting.
const agents = new Map<number, EnvHttpProxyAgent>();

function agentFor(timeoutMs: number): EnvHttpProxyAgent {
  let agent = agents.get(timeoutMs);
  if (!agent) {
    agent = new EnvHttpProxyAgent({ headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
    agents.set(timeoutMs, agent);
  }
  return agent;
}

// A DNS failure will not heal in seconds: it means offline.
const FATAL_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ERR_INVALID_URL']);
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

/** The innermost code and message of a fetch failure ('fetch failed' wraps the real cause). */
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
  const shown = code && !message.includes(code) ? `${code}: ${message}` : message;
  return new HttpError(shown, !(code && FATAL_CODES.has(code)));
}

export async function httpGet(
  href: string,
  headers: Record<string, string>,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<HttpResponse> {
  const url = new URL(href);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new HttpError(`unsupported URL scheme in ${url.href}`, false);
  try {
    const response = await fetch(url, {
      headers: { 'user-agent': 'fastsam-node', 'accept-encoding': 'identity', ...headers },
      redirect: 'follow',
      dispatcher: agentFor(timeoutMs),
      signal,
    });
    return { status: response.status, headers: response.headers, body: response.body, url: response.url || url.href };
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    throw httpFailure(error, url, timeoutMs);
  }
}
