/**
 * Model URLs and downloads from the public API, in a child process: a malformed URL is E_BAD_OPTION, and
 * downloads honour HTTP(S)_PROXY (undici's EnvHttpProxyAgent), here through a loopback server acting as
 * the proxy, and the child exits on its own afterwards (no pooled socket keeps it alive).
 */
import { createHash, randomBytes } from 'node:crypto';
import { startServer, type TestServer } from '../cache/server';
import { expectAnswer, expectTypedEnd, runCase } from './harness';

const PAYLOAD = randomBytes(200_000);
let server: TestServer;
beforeAll(async () => {
  server = await startServer({ '/FastSAM-proxied.pt': PAYLOAD });
});
afterAll(() => server.close());

test.each(['http://[::1/x.pt', 'https://exa mple.com/x.pt', 'http://example.com/%E0%A4%A.pt'])(
  'FastSAM.load(%p): E_BAD_OPTION',
  async (url) => {
    expectTypedEnd(await runCase('cache', 'load', [url]), 'E_BAD_OPTION');
  },
);

test('downloads go through HTTP_PROXY', async () => {
  const sha = createHash('sha256').update(PAYLOAD).digest('hex');
  const outcome = await runCase('cache', 'fetchInto', ['http://fastsam-model-host.invalid/FastSAM-proxied.pt', sha], {
    env: { HTTP_PROXY: server.baseUrl, http_proxy: server.baseUrl, NO_PROXY: '', no_proxy: '' },
  });
  expect(expectAnswer(outcome)).toBe(PAYLOAD.length);
  expect(server.connects).toEqual(['fastsam-model-host.invalid:80']);
  expect(server.requests).toEqual([expect.objectContaining({ url: '/FastSAM-proxied.pt' })]);
});

test.each([true, false])(
  'servers closing the connection under a slow reader (Content-Length: %p) end normally (undici#5360)',
  async (withLength) => {
    expect(expectAnswer(await runCase('cache', 'closingServerSlowReader', [10, withLength]), { ms: 20_000, rssMiB: 1024 })).toBe(
      30_000_000,
    );
  },
);
