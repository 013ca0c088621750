/** The segment answer builders: exact values, and big answers built without holding the event loop (slices, a worker thread). */
import { compressRle, FastSAM } from '../../lib/index';
import { compressRles, toSegmentJSON } from '../../lib/formats/segment-json';
import { SegmentEncoder } from '../../lib/formats/segment-encoder';
import type { SegmentAnswer } from '../../lib/formats/segment-answer';
import type { RLE } from '../../lib/masks/mask';
import { shapesScene, TWO_SHAPES } from './helpers';

test('toSegmentJSON: boxes, scores, classes, names and compressed masks of the Result, speed merged', async () => {
  const scene = await shapesScene(TWO_SHAPES);
  const model = await FastSAM.load(scene.model);
  try {
    const [result] = await model.predict(scene.png, { retinaMasks: true });
    const answer = await toSegmentJSON(result, { speed: { encode: 1.5 } });
    expect(answer.image).toEqual({ width: 160, height: 128 });
    expect(answer.speed).toMatchObject({ ...result.speed, encode: 1.5 });
    const rles = await result.masks.toRLE();
    expect(answer.detections).toEqual(
      rles.map((rle, i) => ({
        box: Array.from(result.boxes.xyxy.subarray(i * 4, i * 4 + 4)),
        score: result.boxes.conf[i],
        class: 0,
        name: result.names[0],
        mask: compressRle(rle),
      })),
    );
    expect((await toSegmentJSON(result, { masks: false })).detections.every((d) => d.mask === undefined)).toBe(true);
  } finally {
    await model.dispose();
  }
});

test('compressRles gives the event loop back between slices, and stops when aborted', async () => {
  // 50 masks of 10000 runs each: 500 k runs, ten slices.
  const rles: RLE[] = Array.from({ length: 50 }, () => ({ size: [1000, 1000], counts: Array.from({ length: 10000 }, () => 100) }));
  let ticks = 0;
  const timer = setInterval(() => ticks++, 0);
  const out = await compressRles(rles, 50_000);
  clearInterval(timer);
  expect(out).toEqual(rles.map(compressRle));
  expect(ticks).toBeGreaterThan(3);
  const controller = new AbortController();
  controller.abort();
  await expect(compressRles(rles, 50_000, controller.signal)).rejects.toMatchObject({ code: 'E_ABORTED' });
});

test('SegmentEncoder: on a worker thread, the same bytes as JSON.stringify(toSegmentJSON()), speed.encode added', async () => {
  const scene = await shapesScene(TWO_SHAPES);
  const model = await FastSAM.load(scene.model);
  const encoder = new SegmentEncoder();
  try {
    const [result] = await model.predict(scene.png, { retinaMasks: true });
    const bytes = await encoder.encode(result, { speed: { prompt: 0.5 } });
    const parsed = JSON.parse(bytes.toString('utf8')) as SegmentAnswer;
    expect(parsed.speed.encode).toBeGreaterThanOrEqual(0);
    const expected = await toSegmentJSON(result, { speed: { prompt: 0.5, encode: parsed.speed.encode } });
    expect(bytes.toString('utf8')).toBe(JSON.stringify(expected));
    // Given masks instead of the Result's own; nothing to encode; an abandoned request.
    const rles = (await result.masks.toRLE()).reverse();
    const swapped = JSON.parse((await encoder.encode(result, { rles })).toString()) as SegmentAnswer;
    expect(swapped.detections.map((d) => d.mask)).toEqual(rles.map(compressRle));
    const none = JSON.parse((await encoder.encode(result.select([]))).toString()) as SegmentAnswer;
    expect(none.detections).toEqual([]);
    const controller = new AbortController();
    controller.abort();
    await expect(encoder.encode(result, { signal: controller.signal })).rejects.toMatchObject({ code: 'E_ABORTED' });
  } finally {
    await encoder.close();
    await model.dispose();
  }
});
