/**
 * One HTTP(S) GET with redirects followed and an idle timeout on the socket (headers and body alike), so a
 * stalled server fails fast instead of hanging a download forever.
 */
import * as http from 'node:http';
import * as https from 'node:https';

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: http.IncomingMessage;
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

const MAX_REDIRECTS = 5;

function requestOnce(url: URL, headers: Record<string, string>, timeoutMs: number): Promise<http.IncomingMessage> {
  const client = url.protocol === 'https:' ? https : url.protocol === 'http:' ? http : undefined;
  if (!client) return Promise.reject(new HttpError(`unsupported URL scheme in ${url.href}`, false));
  return new Promise((resolve, reject) => {
    let response: http.IncomingMessage | undefined;
    const request = client.get(url, { headers: { 'user-agent': 'fastsam-node', ...headers } }, (res) => {
      response = res;
      resolve(res);
    });
    // The socket's idle timeout covers the body too; the body then fails with this reason, not 'aborted'.
    request.setTimeout(timeoutMs, () => {
      const reason = new HttpError(`no data from ${url.host} for ${timeoutMs} ms`, true);
      response?.destroy(reason);
      request.destroy(reason);
    });
    request.on('error', reject);
  });
}

export async function httpGet(href: string, headers: Record<string, string>, timeoutMs: number): Promise<HttpResponse> {
  let url = new URL(href);
  for (let hop = 0; ; hop++) {
    const body = await requestOnce(url, headers, timeoutMs);
    const status = body.statusCode ?? 0;
    const location = body.headers.location;
    if (status >= 300 && status < 400 && location) {
      body.resume();
      if (hop >= MAX_REDIRECTS) throw new HttpError(`more than ${MAX_REDIRECTS} redirects from ${href}`, false);
      url = new URL(location, url);
      continue;
    }
    return { status, headers: body.headers, body, url: url.href };
  }
}
