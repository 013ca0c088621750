/** Regressions found in review: thin images, dispose while streaming, fixed batches, closed sources. */
import { FastSAM } from '../../lib/pipeline/fastsam';
import { native } from '../../lib/native';
import { FastSAMPrompt } from '../../lib/prompts/prompt';
import { MASK_COEFS, tinySegmentModel } from '../../scripts/fixtures/tiny-models';

const boxes = [{ cx: 32, cy: 32, w: 20, h: 20, score: 0.9, coef: new Array(32).fill(0.1) }];
const protos = new Float32Array(32 * 256).fill(1);
const gray = (w: number, h = 32) => ({ data: new Uint8Array(w * h * 3).fill(100), width: w, height: h, channels: 3 as const });

test('an image too thin to letterbox is its own error; the stream goes on', async () => {
  const model = await FastSAM.load(tinySegmentModel({ size: 64, boxes, protos }));
  const seen: string[] = [];
  for await (const item of model.stream([gray(20), gray(1, 300), gray(30)])) seen.push(item.error ? item.error.code : 'ok');
  expect(seen).toEqual(['ok', 'E_BAD_SOURCE', 'ok']);
  await expect(model.predict(gray(1, 300))).rejects.toMatchObject({ code: 'E_BAD_SOURCE' });
  await model.dispose();
});

test('dispose() while a stream batch is decoding waits for it', async () => {
  const model = await FastSAM.load(tinySegmentModel({ size: 64, boxes, protos }));
  const stream = model.stream([gray(20), gray(30), gray(40), gray(50)]);
  const first = stream.next();
  await new Promise((resolve) => setTimeout(resolve, 1));
  await model.dispose();
  const item = (await first).value;
  expect(item.error?.code ?? 'ok').toMatch(/^(ok|E_DISPOSED)$/);
  expect(item.error?.code).not.toBe('E_INFERENCE');
});

test('a fixed-batch export larger than the request is padded', async () => {
  const model = await FastSAM.load(tinySegmentModel({ size: 64, boxes, protos, batch: 2 }));
  expect(model.contract.fixedBatch).toBe(2);
  expect((await model.predict(gray(20))).map((r) => r.origShape[1])).toEqual([20]);
  const results = await model.predict([gray(20), gray(30), gray(40)]);
  expect(results.map((r) => r.origShape[1])).toEqual([20, 30, 40]);
  const streamed: number[] = [];
  for await (const item of model.stream([gray(11), gray(12), gray(13)])) streamed.push(item.result!.origShape[1]);
  expect(streamed).toEqual([11, 12, 13]);
  await model.dispose();
});

test('stopping early closes the caller’s iterator', async () => {
  const model = await FastSAM.load(tinySegmentModel({ size: 64, boxes, protos }));
  let closed = false;
  function* sources() {
    try {
      for (let i = 0; i < 50; i++) yield gray(10 + i);
    } finally {
      closed = true;
    }
  }
  for await (const item of model.stream(sources())) {
    expect(item.error).toBeUndefined();
    break;
  }
  expect(closed).toBe(true);
  await model.dispose();
});

test('a point in the upsampling leak of a letterboxed mask of an input-sized image is found', async () => {
  const plus = new Float32Array(MASK_COEFS * 256).fill(-1);
  for (let y = 4; y < 12; y++) for (let x = 4; x < 12; x++) plus[y * 16 + x] = 1;
  const model = await FastSAM.load(
    tinySegmentModel({
      size: 64,
      boxes: [{ cx: 32, cy: 32, w: 20, h: 20, score: 0.9, coef: [1, ...new Array(31).fill(0)] }],
      protos: plus,
    }),
  );
  const [result] = await model.predict(gray(64, 64), { retinaMasks: false });
  const [mask] = await result.masks.all();
  const leakX = mask.x + mask.width - 1; // beyond the box's x2 = 42
  expect(leakX).toBeGreaterThan(42);
  const y = mask.y + Math.floor(mask.height / 2);
  expect(mask.at(leakX, y)).toBe(1);
  const merged = await new FastSAMPrompt(gray(64, 64), result).point([[leakX, y]], [1]);
  expect((await merged.masks.get(0)).area).toBe(mask.area);
  await model.dispose();
});

test('refineMasks refuses windows outside the mask instead of overflowing', async () => {
  await expect(
    native().refineMasks(new Uint8Array(4000 * 50), Int32Array.of(0, 0, 4000, 50), Float64Array.of(0, 200000), {
      maskWidth: 10,
      maskHeight: 10,
    }),
  ).rejects.toThrow(/outside the mask/);
});
