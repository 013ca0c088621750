/** The demo's files: served from dist/web at fixed paths, with ETags, a strict CSP, and the test ids the browser tests use. */
import { FastSAM } from '../../lib/index';
import { type Running, shapesScene, startServer, TWO_SHAPES } from './helpers';
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the build script is plain JS, shared with npm run build:web
const { buildWebIfStale } = require('../../scripts/build-web.js') as { buildWebIfStale: () => Promise<void> };

let model: FastSAM;
let server: Running;

beforeAll(async () => {
  await buildWebIfStale();
  model = await FastSAM.load((await shapesScene(TWO_SHAPES)).model);
  server = await startServer(model);
});
afterAll(async () => {
  await server.close();
  await model.dispose();
});

test('/ is the page, with every data-testid the tests drive; its script, style and samples are there', async () => {
  const page = await fetch(`${server.url}/`);
  expect(page.status).toBe(200);
  expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
  expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
  const html = await page.text();
  for (const id of [
    'image-input',
    'canvas',
    'mask-count',
    'mode-everything',
    'mode-point',
    'mode-box',
    'mode-text',
    'selection-count',
    'download-cutout',
  ]) {
    expect(html).toContain(`data-testid="${id}"`);
  }
  expect(html).not.toMatch(/<script>|<script [^>]*>[^<]/); // no inline script (the CSP forbids it)
  for (const [asset, type] of [
    ['/app.js', 'text/javascript; charset=utf-8'],
    ['/app.css', 'text/css; charset=utf-8'],
    ['/samples/samples.json', 'application/json; charset=utf-8'],
  ]) {
    const response = await fetch(`${server.url}${asset}`);
    expect([asset, response.status, response.headers.get('content-type')]).toEqual([asset, 200, type]);
  }
  const samples = (await (await fetch(`${server.url}/samples/samples.json`)).json()) as Array<{ file: string }>;
  expect(samples.length).toBeGreaterThanOrEqual(3);
  for (const { file } of samples) {
    const image = await fetch(`${server.url}/samples/${file}`);
    expect(image.headers.get('content-type')).toBe('image/jpeg');
  }
});

test('ETags revalidate; nothing outside dist/web is reachable', async () => {
  const first = await fetch(`${server.url}/app.js`);
  const etag = first.headers.get('etag')!;
  expect(etag).toMatch(/^".+"$/);
  expect((await fetch(`${server.url}/app.js`, { headers: { 'if-none-match': etag } })).status).toBe(304);
  for (const path of ['/../package.json', '/%2e%2e/package.json', '/samples/../../package.json', '/index.js']) {
    expect((await fetch(`${server.url}${path}`)).status).toBe(404);
  }
});

test('web: false serves no page', async () => {
  const bare = await startServer(model, { web: false });
  try {
    expect((await fetch(`${bare.url}/`)).status).toBe(404);
  } finally {
    await bare.close();
  }
});
