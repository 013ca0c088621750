/** KServe v2 routes: health, metadata, and infer (base64 JSON and Triton's binary tensors) equal to /v1. */
import { FastSAM } from '../../lib/index';
import type { SegmentAnswer } from '../../lib/formats/segment-json';
import { expectError, postRaw, type Running, shapesScene, startServer, TWO_SHAPES } from './helpers';

let model: FastSAM;
let server: Running;
let png: Buffer;

beforeAll(async () => {
  const scene = await shapesScene(TWO_SHAPES);
  png = scene.png;
  model = await FastSAM.load(scene.model);
  server = await startServer(model, { name: 'shapes' });
});
afterAll(async () => {
  await server.close();
  await model.dispose();
});

const json = async (path: string) => {
  const response = await fetch(`${server.url}${path}`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

test('health, server and model metadata as Triton answers them', async () => {
  expect(await json('/v2/health/live')).toEqual({ status: 200, body: { live: true } });
  expect(await json('/v2/health/ready')).toEqual({ status: 200, body: { ready: true } });
  expect(await json('/v2/models/shapes/ready')).toEqual({ status: 200, body: { name: 'shapes', ready: true } });
  expect(await json('/v2/models/shapes/versions/1/ready')).toEqual({ status: 200, body: { name: 'shapes', ready: true } });
  const server_ = await json('/v2');
  expect(server_.body).toMatchObject({ name: 'fastsam-node', extensions: ['binary_tensor_data', 'parameters'] });
  const meta = await json('/v2/models/shapes');
  expect(meta.body).toMatchObject({
    name: 'shapes',
    versions: ['1'],
    platform: 'onnxruntime_onnx',
    inputs: [{ name: 'image', datatype: 'BYTES', shape: [1] }],
  });
  await expectError(await fetch(`${server.url}/v2/models/shapes/versions/2`), 404, 'E_NOT_FOUND');
});

async function expectedAnswer(query: Record<string, string> = {}): Promise<SegmentAnswer> {
  return (await (await postRaw(server.url, png, query, 'image/png')).json()) as SegmentAnswer;
}

function expectTensorsMatch(outputs: Array<{ name: string; shape: number[]; data: unknown[] }>, answer: SegmentAnswer): void {
  const byName = Object.fromEntries(outputs.map((o) => [o.name, o]));
  const n = answer.detections.length;
  expect(byName.boxes).toMatchObject({ datatype: 'FP32', shape: [n, 4], data: answer.detections.flatMap((d) => d.box) });
  expect(byName.scores).toMatchObject({ datatype: 'FP32', shape: [n], data: answer.detections.map((d) => d.score) });
  expect(byName.classes).toMatchObject({ datatype: 'INT32', shape: [n], data: answer.detections.map((d) => d.class) });
  expect(byName.masks_rle).toMatchObject({ datatype: 'BYTES', shape: [n], data: answer.detections.map((d) => d.mask!.counts) });
}

test('infer with a base64 image and options as parameters equals /v1/segment', async () => {
  const response = await fetch(`${server.url}/v2/models/shapes/infer`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      id: 'req-1',
      parameters: { conf: 0.5, bboxes: [[30, 30, 80, 90]] },
      inputs: [{ name: 'image', datatype: 'BYTES', shape: [1], data: [png.toString('base64')] }],
    }),
  });
  const body = (await response.json()) as { id: string; model_name: string; parameters: Record<string, number>; outputs: never[] };
  expect([response.status, body]).toMatchObject([200, { id: 'req-1', model_name: 'shapes', model_version: '1' }]);
  expect(body.parameters).toMatchObject({ image_width: 160, image_height: 128, mask_height: 128, mask_width: 160 });
  const answer = await expectedAnswer({ conf: '0.5', bboxes: '[[30,30,80,90]]' });
  expect(answer.detections).toHaveLength(1);
  expectTensorsMatch(body.outputs, answer);
});

test("Triton's binary tensor extension in and out", async () => {
  const header = Buffer.from(
    JSON.stringify({
      inputs: [{ name: 'image', datatype: 'BYTES', shape: [1], parameters: { binary_data_size: png.length + 4 } }],
      outputs: [
        { name: 'scores', parameters: { binary_data: true } },
        { name: 'masks_rle', parameters: { binary_data: true } },
        { name: 'boxes' },
      ],
    }),
  );
  const length = Buffer.alloc(4);
  length.writeUInt32LE(png.length);
  const response = await fetch(`${server.url}/v2/models/shapes/versions/1/infer`, {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': String(header.length) },
    body: Buffer.concat([header, length, png]),
  });
  expect(response.status).toBe(200);
  const body = Buffer.from(await response.arrayBuffer());
  const headerLength = Number(response.headers.get('inference-header-content-length'));
  const head = JSON.parse(body.subarray(0, headerLength).toString()) as {
    outputs: Array<{ name: string; parameters?: { binary_data_size: number }; data?: number[] }>;
  };
  expect(head.outputs.map((o) => o.name)).toEqual(['boxes', 'scores', 'masks_rle']);
  const answer = await expectedAnswer();
  expect(head.outputs[0].data).toEqual(answer.detections.flatMap((d) => d.box));
  let at = headerLength;
  const scoresSize = head.outputs[1].parameters!.binary_data_size;
  const scores = new Float32Array(body.buffer.slice(body.byteOffset + at, body.byteOffset + at + scoresSize));
  at += scoresSize;
  expect(Array.from(scores)).toEqual(answer.detections.map((d) => Math.fround(d.score)));
  const counts: string[] = [];
  while (at < body.length) {
    const n = body.readUInt32LE(at);
    counts.push(body.subarray(at + 4, at + 4 + n).toString());
    at += 4 + n;
  }
  expect(counts).toEqual(answer.detections.map((d) => d.mask!.counts));
});

test('bad inference requests: the one error body', async () => {
  const infer = (body: unknown) =>
    fetch(`${server.url}/v2/models/shapes/infer`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const input = { name: 'image', datatype: 'BYTES', shape: [1], data: [png.toString('base64')] };
  await expectError(await infer({}), 400, 'E_BAD_REQUEST', 'inputs');
  await expectError(await infer({ inputs: [{ ...input, name: 'pixels' }] }), 400, 'E_BAD_REQUEST', "unknown input 'pixels'");
  await expectError(await infer({ inputs: [{ ...input, datatype: 'FP32' }] }), 400, 'E_BAD_REQUEST', 'BYTES');
  await expectError(await infer({ inputs: [{ ...input, shape: [2] }] }), 400, 'E_BAD_REQUEST', 'shape [1]');
  await expectError(await infer({ inputs: [{ ...input, data: ['%%%'] }] }), 400, 'E_BAD_REQUEST', 'base64');
  await expectError(await infer({ inputs: [input], parameters: { conff: 1 } }), 400, 'E_BAD_OPTION', "did you mean 'conf'");
  await expectError(
    await infer({ inputs: [input], parameters: { conf: 2 } }),
    400,
    'E_BAD_OPTION',
    'conf must be a number in [0, 1], got 2',
  );
  await expectError(await infer({ inputs: [input], parameters: { format: 'png' } }), 400, 'E_BAD_OPTION', 'format');
  await expectError(await infer({ inputs: [input], outputs: [{ name: 'logits' }] }), 400, 'E_BAD_REQUEST', "unknown output 'logits'");
  await expectError(await infer({ inputs: [{ ...input, data: [Buffer.from('nope').toString('base64')] }] }), 400, 'E_IMAGE_DECODE');
  const notJson = await fetch(`${server.url}/v2/models/shapes/infer`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{',
  });
  await expectError(notJson, 400, 'E_BAD_REQUEST');
  const noHeader = await fetch(`${server.url}/v2/models/shapes/infer`, {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream' },
    body: png,
  });
  await expectError(noHeader, 415, 'E_UNSUPPORTED_MEDIA_TYPE', 'Inference-Header-Content-Length');
  await expectError(await fetch(`${server.url}/v2/models/other/infer`, { method: 'POST' }), 404, 'E_NOT_FOUND');
  expect((await fetch(`${server.url}/v2/health/ready`)).status).toBe(200);
});
