/** Model names, URLs and downloads from the public API, in a child (environment variables included). */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { resolveModel } from '../../../lib/cache';
import { httpGet } from '../../../lib/cache/http-get';
import { FastSAM } from '../../../lib/pipeline/fastsam';

/** FastSAM.load('http://[::1/x.pt') threw an untyped TypeError from new URL(). */
export const load = async (model: string): Promise<string> => (await FastSAM.load(model)).source;

/** Downloads a URL into a fresh cache folder (with HTTP_PROXY set by the test) and returns its size. */
export async function fetchInto(url: string, sha256: string): Promise<number> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'fastsam-hostile-cache-'));
  try {
    return fs.statSync(await resolveModel(url, { home, sha256, progress: false, retries: 0, timeoutMs: 5000 })).size;
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
}

/**
 * Servers that end the body by closing the connection ('Connection: close', with or without a length)
 * while the client is slow to read, as a download writing to disk is: through fetch, undici 7 paused its
 * parser and then hit an uncatchable AssertionError on the FIN (nodejs/undici#5360), ending the process.
 */
export async function closingServerSlowReader(rounds: number, withLength: boolean): Promise<number> {
  const body = Buffer.alloc(3_000_000, 0x61);
  const server = net.createServer((socket) => {
    socket.once('data', () => {
      socket.write(`HTTP/1.1 200 OK\r\n${withLength ? `Content-Length: ${body.length}\r\n` : ''}Connection: close\r\n\r\n`);
      socket.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as net.AddressInfo;
    let received = 0;
    for (let round = 0; round < rounds; round++) {
      const response = await httpGet(`http://127.0.0.1:${port}/x.pt`, {}, 5000);
      for await (const chunk of response.body) {
        received += chunk.length;
        await new Promise((resolve) => setTimeout(resolve, 2)); // a slow disk
      }
    }
    return received;
  } finally {
    server.close();
  }
}
