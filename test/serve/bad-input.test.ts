/**
 * Bad requests get the one error body with a stable code and the right status, and none of them takes
 * the server down or leaves it unready: every test ends by checking the server still answers.
 */
import * as net from 'node:net';
import sharp from 'sharp';
import { FastSAM } from '../../lib/index';
import { expectError, postForm, postRaw, type Running, shapesScene, startServer, TWO_SHAPES } from './helpers';

let model: FastSAM;
let server: Running;
let png: Buffer;

beforeAll(async () => {
  const scene = await shapesScene(TWO_SHAPES);
  png = scene.png;
  model = await FastSAM.load(scene.model);
  server = await startServer(model, { maxUploadBytes: 200_000, maxPixels: 400 * 400, maxFields: 4, maxFieldBytes: 2048 });
});
afterEach(async () => {
  expect((await fetch(`${server.url}/v2/health/ready`)).status).toBe(200);
  expect((await postRaw(server.url, png, {}, 'image/png')).status).toBe(200);
});
afterAll(async () => {
  await server.close();
  await model.dispose();
});

test('unknown options are 400 E_BAD_OPTION, naming the nearest key', async () => {
  await expectError(await postRaw(server.url, png, { conff: '0.5' }, 'image/png'), 400, 'E_BAD_OPTION', "did you mean 'conf'");
  await expectError(await postForm(server.url, png, { maxDet: '5' }), 400, 'E_BAD_OPTION', "unknown option 'maxDet'");
});

test('out-of-range and malformed option values are 400 E_BAD_OPTION in the one message format', async () => {
  await expectError(
    await postRaw(server.url, png, { conf: '1.5' }, 'image/png'),
    400,
    'E_BAD_OPTION',
    'conf must be a number in [0, 1], got 1.5',
  );
  await expectError(await postRaw(server.url, png, { conf: 'abc' }, 'image/png'), 400, 'E_BAD_OPTION', 'conf=abc: expected a number');
  await expectError(
    await postRaw(server.url, png, { max_det: '2.5' }, 'image/png'),
    400,
    'E_BAD_OPTION',
    'max_det=2.5: expected an integer',
  );
  await expectError(
    await postRaw(server.url, png, { retina_masks: 'maybe' }, 'image/png'),
    400,
    'E_BAD_OPTION',
    'retina_masks=maybe: expected true or false',
  );
  await expectError(
    await postRaw(server.url, png, { format: 'gif' }, 'image/png'),
    400,
    'E_BAD_OPTION',
    'format=gif: expected one of json, png',
  );
  await expectError(await postRaw(server.url, png, { imgsz: '0' }, 'image/png'), 400, 'E_BAD_OPTION', 'imgsz must be');
  // This designed model is a static 128x128 export: another size is the model's refusal, same code.
  await expectError(await postRaw(server.url, png, { imgsz: '256' }, 'image/png'), 400, 'E_BAD_OPTION', '128');
  // A key given twice is ambiguous.
  const twice = await fetch(`${server.url}/v1/segment?conf=0.1&conf=0.2`, {
    method: 'POST',
    body: png,
    headers: { 'content-type': 'image/png' },
  });
  await expectError(twice, 400, 'E_BAD_OPTION', 'conf must be given once');
  await expectError(await postForm(server.url, png, { texts: 'a dog' }), 400, 'E_BAD_OPTION', 'clip=DIR');
});

test('malformed prompts are 400 E_BAD_PROMPT', async () => {
  const bad = async (fields: Record<string, string>, fragment: string) =>
    expectError(await postForm(server.url, png, fields), 400, 'E_BAD_PROMPT', fragment);
  await bad({ bboxes: '[[1,2,3]]' }, 'bboxes=[[1,2,3]]: expected groups of 4 numbers');
  await bad({ bboxes: 'not json' }, 'bboxes=not json: expected a list of numbers');
  await bad({ bboxes: '[[10,10,5,5]]' }, 'positive width and height');
  await bad({ points: '[[1,2,3]]' }, 'points=[[1,2,3]]: expected groups of 2 numbers');
  await bad({ points: '[[1,"x"]]' }, 'expected groups of 2 numbers');
  await bad({ points: '[[1,2]]', labels: '[2]' }, 'labels must be 0 (background) or 1 (foreground) each');
  await bad({ points: '[[1,2],[3,4]]', labels: '[1]' }, 'an array of 2 labels (one per point)');
  await bad({ labels: '[1]' }, 'labels must be given with points');
  await bad({ point_mode: 'union' }, 'point_mode=union: expected one of merge, instances, additive');
  await bad({ texts: ' | ' }, 'texts must be 1 to 100 texts');
  const many = await postRaw(server.url, png, { points: Array.from({ length: 2002 }, () => 1).join(',') }, 'image/png');
  await expectError(many, 400, 'E_BAD_PROMPT', 'the number of points must be at most 1000');
});

test('bytes that are not an image are 400 E_IMAGE_DECODE; vector images are refused before decoding', async () => {
  await expectError(await postRaw(server.url, Buffer.from('definitely not a picture'), {}, 'image/jpeg'), 400, 'E_IMAGE_DECODE');
  await expectError(await postRaw(server.url, png.subarray(0, 60), {}, 'image/png'), 400, 'E_IMAGE_DECODE'); // truncated
  await expectError(await postRaw(server.url, Buffer.alloc(0), {}, 'image/png'), 400, 'E_IMAGE_DECODE', 'empty');
  // An SVG that names a URL: never decoded, so never fetched (SSRF), whatever its declared type.
  const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><image href="http://127.0.0.1:9/x.png"/></svg>');
  await expectError(await postRaw(server.url, svg, {}, 'image/svg+xml'), 415, 'E_UNSUPPORTED_MEDIA_TYPE', 'vector');
  await expectError(await postRaw(server.url, svg, {}, 'image/png'), 400, 'E_IMAGE_DECODE', 'not a JPEG, PNG');
  await expectError(await postForm(server.url, svg), 400, 'E_IMAGE_DECODE');
});

test('wrong content types are 415 E_UNSUPPORTED_MEDIA_TYPE', async () => {
  const post = (body: string, type: string) =>
    fetch(`${server.url}/v1/segment`, { method: 'POST', body, headers: { 'content-type': type } });
  await expectError(await post('{"image": "x"}', 'application/json'), 415, 'E_UNSUPPORTED_MEDIA_TYPE');
  await expectError(await post('hello', 'text/plain'), 415, 'E_UNSUPPORTED_MEDIA_TYPE');
  await expectError(await post('a=b', 'application/x-www-form-urlencoded'), 415, 'E_UNSUPPORTED_MEDIA_TYPE');
});

test('size limits: upload 413 E_PAYLOAD_TOO_LARGE, pixels 413 E_IMAGE_TOO_LARGE', async () => {
  const big = await sharp({
    create: { width: 600, height: 600, channels: 3, background: '#000', noise: { type: 'gaussian', mean: 128, sigma: 60 } },
  })
    .png()
    .toBuffer();
  expect(big.length).toBeGreaterThan(200_000);
  await expectError(await postRaw(server.url, big, {}, 'image/png'), 413, 'E_PAYLOAD_TOO_LARGE');
  await expectError(await postForm(server.url, big), 413, 'E_PAYLOAD_TOO_LARGE');
  const wide = await sharp({ create: { width: 500, height: 400, channels: 3, background: '#808080' } })
    .png()
    .toBuffer();
  expect(wide.length).toBeLessThan(200_000);
  await expectError(await postRaw(server.url, wide, {}, 'image/png'), 413, 'E_IMAGE_TOO_LARGE', 'over the limit of 160000');
});

test('multipart limits: fields, field size, extra files, missing image, broken bodies', async () => {
  const form = (build: (f: FormData) => void) => {
    const f = new FormData();
    build(f);
    return fetch(`${server.url}/v1/segment`, { method: 'POST', body: f });
  };
  const image = (f: FormData, name = 'image') => f.append(name, new Blob([png], { type: 'image/png' }), 'a.png');
  await expectError(
    await form((f) => {
      image(f);
      for (let i = 0; i < 6; i++) f.append(`k${i}`, '1');
    }),
    413,
    'E_PAYLOAD_TOO_LARGE',
  );
  await expectError(
    await form((f) => {
      image(f);
      f.append('points', `[${'1,'.repeat(2000)}1]`);
    }),
    413,
    'E_PAYLOAD_TOO_LARGE',
    "'points'",
  );
  // One file per request: a second one, whatever its name, is past the files limit.
  for (const second of ['image', 'image2']) {
    await expectError(
      await form((f) => {
        image(f);
        image(f, second);
      }),
      413,
      'E_PAYLOAD_TOO_LARGE',
    );
  }
  await expectError(await form((f) => f.append('conf', '0.5')), 400, 'E_BAD_REQUEST', "part named 'image'");
  await expectError(await form((f) => image(f, 'picture')), 400, 'E_BAD_REQUEST', "unexpected file part 'picture'");
  const broken = await fetch(`${server.url}/v1/segment`, {
    method: 'POST',
    body: '--xyz\r\nContent-Disposition: form-data; name="image"; filename="a.png"\r\n\r\nabc',
    headers: { 'content-type': 'multipart/form-data; boundary=xyz' },
  });
  expect([400, 413]).toContain(broken.status);
  expect(((await broken.json()) as { error: { code: string } }).error.code).toMatch(/^E_/);
});

test('unknown routes and methods answer the same error body', async () => {
  await expectError(await fetch(`${server.url}/v1/nothing`), 404, 'E_NOT_FOUND');
  await expectError(await fetch(`${server.url}/v1/segment`), 404, 'E_NOT_FOUND');
  await expectError(await fetch(`${server.url}/v2/models/other`), 404, 'E_NOT_FOUND', "no model 'other'");
});

test('a client that hangs up mid-upload or mid-request leaves the server as it was', async () => {
  // Half a body, then the socket closes.
  await new Promise<void>((resolve) => {
    const url = new URL(server.url);
    const socket = net.connect(Number(url.port), url.hostname, () => {
      socket.write(`POST /v1/segment HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\nContent-Length: ${png.length}\r\n\r\n`);
      socket.write(png.subarray(0, 100));
      setTimeout(() => socket.destroy(), 50);
    });
    socket.on('close', () => resolve());
    socket.on('error', () => resolve());
  });
  // A whole request, abandoned before its answer.
  const controller = new AbortController();
  const pending = postRaw(server.url, png, {}, 'image/png');
  const abandoned = fetch(`${server.url}/v1/segment`, {
    method: 'POST',
    body: png,
    headers: { 'content-type': 'image/png' },
    signal: controller.signal,
  });
  setTimeout(() => controller.abort(), 1);
  await expect(abandoned).rejects.toThrow();
  expect((await pending).status).toBe(200);
});
