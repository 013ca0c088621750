/**
 * POST /v1/segment on a real server (127.0.0.1, a free port) answers what the library answers in
 * process: predict() for everything, FastSAMPrompt for box and point prompts, on the same images, boxes
 * bit for bit and masks pixel for pixel, through both bodies (multipart and raw).
 */
import * as fs from 'node:fs';
import sharp from 'sharp';
import { compressRle, FastSAM, FastSAMPrompt } from '../../lib/index';
import { refineMasks } from '../../lib/masks/mask-ops';
import type { SegmentAnswer } from '../../lib/formats/segment-json';
import { describeWithShared, sharedPath } from '../helpers/shared';
import { expectSameAsResult, postForm, postRaw, type Running, shapesScene, startServer, TWO_SHAPES } from './helpers';

describeWithShared('data/onnx/yolov8n-seg_int8_320.onnx', 'POST /v1/segment equals in-process predict and FastSAMPrompt', () => {
  let model: FastSAM;
  let server: Running;
  const bus = fs.readFileSync(sharedPath('data/images/bus.jpg'));
  const zidane = fs.readFileSync(sharedPath('data/images/zidane.jpg'));
  let smallBus: Buffer; // half size: prompts are as valid there, and four times cheaper

  beforeAll(async () => {
    model = await FastSAM.load(sharedPath('data/onnx/yolov8n-seg_int8_320.onnx'));
    smallBus = await sharp(bus).resize(405, 540).jpeg().toBuffer();
    server = await startServer(model);
  });
  afterAll(async () => {
    await server.close();
    await model.dispose();
  });

  test('everything, raw body: retina masks by default, the same detections and masks as predict()', async () => {
    const response = await postRaw(server.url, bus);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const answer = (await response.json()) as SegmentAnswer;
    const [result] = await model.predict(bus, { retinaMasks: true });
    expect(result.length).toBeGreaterThan(0);
    await expectSameAsResult(answer, result);
    expect(answer.detections[0].mask!.size).toEqual([1080, 810]);
    for (const stage of ['preprocess', 'inference', 'postprocess', 'prompt', 'encode'])
      expect(answer.speed[stage]).toBeGreaterThanOrEqual(0);
  });

  test('multipart with options as fields equals predict() with the same options (letterboxed masks)', async () => {
    const response = await postForm(server.url, zidane, { conf: '0.3', iou: '0.5', max_det: '3', retina_masks: 'false' });
    expect(response.status).toBe(200);
    const [result] = await model.predict(zidane, { conf: 0.3, iou: 0.5, maxDet: 3, retinaMasks: false });
    const answer = (await response.json()) as SegmentAnswer;
    await expectSameAsResult(answer, result);
    expect(answer.detections[0].mask!.size).toEqual([320, 320]); // the network input, not the image
  });

  test('box prompts (query keys) answer what FastSAMPrompt.box answers', async () => {
    const boxes: [number, number, number, number][] = [
      [20, 110, 400, 380],
      [0, 190, 130, 450],
    ];
    const response = await postRaw(server.url, smallBus, { bboxes: JSON.stringify(boxes) });
    expect(response.status).toBe(200);
    const [result] = await model.predict(smallBus, { retinaMasks: true });
    const picked = await new FastSAMPrompt(smallBus, result).box(boxes);
    await expectSameAsResult((await response.json()) as SegmentAnswer, picked);
  });

  test('point prompts in every mode answer what FastSAMPrompt.point answers', async () => {
    const [result] = await model.predict(smallBus, { retinaMasks: true });
    const prompt = new FastSAMPrompt(smallBus, result);
    const points: [number, number][] = [
      [200, 250],
      [50, 325],
      [350, 450],
    ];
    const labels = [1, 1, 0];
    for (const mode of ['merge', 'instances', 'additive'] as const) {
      const response = await postForm(server.url, smallBus, {
        points: JSON.stringify(points),
        labels: JSON.stringify(labels),
        point_mode: mode,
      });
      expect(response.status).toBe(200);
      await expectSameAsResult((await response.json()) as SegmentAnswer, await prompt.point(points, labels, { mode }));
    }
    // The CLI's flat form of the same points.
    const flat = await postRaw(server.url, smallBus, { points: '200,250', labels: '1' });
    await expectSameAsResult((await flat.json()) as SegmentAnswer, await prompt.point([[200, 250]], [1]));
  });

  test('format=png answers the mask index map: pixel i + 1 where detection i is, smallest on top', async () => {
    const response = await postRaw(server.url, smallBus, { format: 'png' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/png');
    const png = Buffer.from(await response.arrayBuffer());
    const [result] = await model.predict(smallBus, { retinaMasks: true });
    expect(png.equals(await result.masks.toPNG({ indexMap: true }))).toBe(true);
    expect(response.headers.get('x-detections')).toBe(String(result.length));
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([405, 540]);
    expect(Math.max(...new Set(data))).toBeLessThanOrEqual(result.length);
  });

  test('GET /v1/info describes the model for the page', async () => {
    const info = (await (await fetch(`${server.url}/v1/info`)).json()) as Record<string, unknown>;
    expect(info).toMatchObject({ name: 'fastsam', model: 'yolov8n-seg_int8_320.onnx', task: 'segment', backend: 'cpu', clip: false });
    expect((info.names as Record<string, string>)['0']).toBe('person');
  });
});

describe('a designed model: known masks through the server', () => {
  test('two rectangles come back as exactly those rectangles; better_quality answers the refined masks', async () => {
    const scene = await shapesScene(TWO_SHAPES);
    const model = await FastSAM.load(scene.model);
    const server = await startServer(model);
    try {
      const answer = (await (await postRaw(server.url, scene.png, {}, 'image/png')).json()) as SegmentAnswer;
      // FastSAM's full-image box step aside, the designed detections are the shapes, masks their boxes.
      expect(answer.detections.map((d) => d.box.map(Math.round))).toEqual(TWO_SHAPES.map((s) => s.box));
      const [result] = await model.predict(scene.png, { retinaMasks: true });
      await expectSameAsResult(answer, result);
      const refined = (await (await postRaw(server.url, scene.png, { better_quality: 'true' }, 'image/png')).json()) as SegmentAnswer;
      const expected = (await refineMasks(await result.masks.all())).map((m) => compressRle(m.toRLE()));
      expect(refined.detections.map((d) => d.mask)).toEqual(expected);
      expect(expected).not.toEqual(answer.detections.map((d) => d.mask)); // the clean-up did change them
    } finally {
      await server.close();
      await model.dispose();
    }
  });
});
