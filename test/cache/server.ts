/**
 * A loopback HTTP file server for download tests, with misbehaviours on demand: cut connections, stalls,
 * slow trickles, ignored Range headers, errors and redirects. Listens on 127.0.0.1 only.
 */
import * as http from 'node:http';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface Behaviour {
  /** Destroy the connection after this many body bytes of this response. */
  cutAfter?: number;
  /** Send headers and this many bytes, then nothing (the socket stays open). */
  stallAfter?: number;
  /** Answer every request 200 with the whole file, ignoring Range. */
  ignoreRange?: boolean;
  /** Answer with this status and no body. */
  status?: number;
  /** Send the body in chunks of this size, pausing between them. */
  trickle?: { bytes: number; everyMs: number };
  /** Send no Content-Length: 'chunked' (the last chunk marks the end) or 'close' (the end is the connection closing). */
  noLength?: 'chunked' | 'close';
}

export interface RecordedRequest {
  url: string;
  /** The request named a whole URL: it came through this server acting as an HTTP proxy. */
  proxied: boolean;
  range: string | undefined;
  ifRange: string | undefined;
}

export interface TestServer {
  baseUrl: string;
  requests: RecordedRequest[];
  /** Files by path ('/FastSAM-s.pt'); replace at will. */
  files: Map<string, Buffer>;
  /** Behaviour of the n-th request (0-based), else `always`. */
  plan: Behaviour[];
  always: Behaviour;
  redirects: Map<string, string>;
  /** host:port of each CONNECT tunnel asked for (this server acting as an HTTP proxy tunnels to itself). */
  connects: string[];
  close(): Promise<void>;
}

function send(res: http.ServerResponse, body: Buffer, behaviour: Behaviour): void {
  const { cutAfter, stallAfter, trickle } = behaviour;
  if (cutAfter !== undefined) {
    res.write(body.subarray(0, cutAfter), () => res.destroy());
    return;
  }
  if (stallAfter !== undefined) {
    res.write(body.subarray(0, stallAfter));
    return; // never ends; the client must time out
  }
  if (trickle) {
    let at = 0;
    const next = (): void => {
      if (res.destroyed) return;
      if (at >= body.length) return void res.end();
      res.write(body.subarray(at, at + trickle.bytes));
      at += trickle.bytes;
      setTimeout(next, trickle.everyMs);
    };
    next();
    return;
  }
  res.end(body);
}

export async function startServer(files: Record<string, Uint8Array>): Promise<TestServer> {
  const sockets = new Set<import('node:net').Socket>();
  const state: Omit<TestServer, 'baseUrl' | 'close'> = {
    requests: [],
    files: new Map(Object.entries(files).map(([k, v]) => [k, Buffer.from(v)])),
    plan: [],
    always: {},
    redirects: new Map(),
    connects: [],
  };
  const server = http.createServer((req, res) => {
    const index = state.requests.length;
    const raw = req.url ?? '/';
    const proxied = /^https?:\/\//.test(raw);
    const url = proxied ? new URL(raw).pathname : raw;
    state.requests.push({ url, proxied, range: req.headers.range, ifRange: req.headers['if-range'] as string | undefined });
    const behaviour = state.plan[index] ?? state.always;
    const redirect = state.redirects.get(url);
    if (redirect) return void res.writeHead(302, { location: redirect }).end();
    if (behaviour.status) return void res.writeHead(behaviour.status).end();
    const file = state.files.get(decodeURIComponent(url));
    if (!file) return void res.writeHead(404).end('not found');
    const etag = `"${file.length}-${file[0] ?? 0}-${file[file.length - 1] ?? 0}"`;
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const ifRangeOk = req.headers['if-range'] === undefined || req.headers['if-range'] === etag;
    if (range && !behaviour.ignoreRange && ifRangeOk) {
      const start = Number(range[1]);
      if (start >= file.length) return void res.writeHead(416, { 'content-range': `bytes */${file.length}` }).end();
      res.writeHead(206, {
        'content-length': file.length - start,
        'content-range': `bytes ${start}-${file.length - 1}/${file.length}`,
        etag,
      });
      return send(res, file.subarray(start), behaviour);
    }
    if (behaviour.noLength) {
      // Node sends chunked without a length unless told not to; then the end is the connection closing.
      if (behaviour.noLength === 'close') res.useChunkedEncodingByDefault = false;
      res.writeHead(200, { etag });
    } else {
      res.writeHead(200, { 'content-length': file.length, etag });
    }
    send(res, file, behaviour);
  });
  // As a proxy: every CONNECT, whatever host it names, is tunnelled to this same server.
  server.on('connect', (req: http.IncomingMessage, client: import('node:net').Socket, head: Buffer) => {
    state.connects.push(req.url ?? '');
    const upstream = net.connect((server.address() as AddressInfo).port, '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    baseUrl: `http://127.0.0.1:${port}`,
    close: async (): Promise<void> => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
}
