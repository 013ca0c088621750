/** model.stream(): input order, per-item errors, backpressure, any kind of iterable. */
import { Readable } from 'node:stream';
import { FastSAMError } from '../../lib/errors';
import type { ImageSource } from '../../lib/io/image';
import { FastSAM } from '../../lib/pipeline/fastsam';
import { tinySegmentModel } from '../../scripts/fixtures/tiny-models';

const gray = (w: number) => ({ data: new Uint8Array(w * 32 * 3).fill(100), width: w, height: 32, channels: 3 as const });

let model: FastSAM;
beforeAll(async () => {
  model = await FastSAM.load(
    tinySegmentModel({
      size: 64,
      boxes: [{ cx: 32, cy: 32, w: 20, h: 20, score: 0.9, coef: new Array(32).fill(0.1) }],
      protos: new Float32Array(32 * 256).fill(1),
    }),
  );
});
afterAll(() => model.dispose());

async function collect(iterable: AsyncIterable<{ source: ImageSource; result?: { origShape: [number, number] }; error?: FastSAMError }>) {
  const out: Array<string> = [];
  for await (const item of iterable) out.push(item.error ? `error:${item.error.code}` : `w${item.result!.origShape[1]}`);
  return out;
}

test('results come in input order, failures as { source, error } items', async () => {
  const sources: ImageSource[] = [gray(10), gray(20), Buffer.from('not an image'), gray(40), gray(50)];
  expect(await collect(model.stream(sources, { concurrency: 3 }))).toEqual(['w10', 'w20', 'error:E_IMAGE_DECODE', 'w40', 'w50']);
});

test('failFast stops at the first failure', async () => {
  const run = collect(model.stream([gray(10), Buffer.from('nope'), gray(30)], { failFast: true }));
  await expect(run).rejects.toMatchObject({ code: 'E_IMAGE_DECODE' });
});

test('takes async iterables and readable streams', async () => {
  async function* generate() {
    for (const w of [11, 12, 13]) yield gray(w);
  }
  expect(await collect(model.stream(generate()))).toEqual(['w11', 'w12', 'w13']);
  expect(await collect(model.stream(Readable.from([gray(21), gray(22)])))).toEqual(['w21', 'w22']);
});

test('backpressure: at most `concurrency` batches are pulled ahead of the consumer', async () => {
  let pulled = 0;
  let maxAhead = 0;
  let consumed = 0;
  function* sources() {
    for (let i = 0; i < 30; i++) {
      pulled++;
      maxAhead = Math.max(maxAhead, pulled - consumed);
      yield gray(8 + i);
    }
  }
  for await (const item of model.stream(sources(), { concurrency: 2 })) {
    expect(item.error).toBeUndefined();
    consumed++;
    await new Promise((resolve) => setTimeout(resolve, 2)); // a slow consumer
  }
  expect(consumed).toBe(30);
  expect(maxAhead).toBeLessThanOrEqual(4); // 2 in flight + 1 started while one is consumed + the item itself
});

test('bad options and sources are clear errors', async () => {
  expect(() => model.stream([gray(10)], { concurrency: 0 })).not.toThrow(); // checked when iterated
  await expect(collect(model.stream([gray(10)], { concurrency: 0 }))).rejects.toMatchObject({ code: 'E_BAD_OPTION' });
  await expect(collect(model.stream(42 as unknown as ImageSource[]))).rejects.toMatchObject({ code: 'E_BAD_SOURCE' });
  // Like predict(), which rejects: every error of stream() surfaces when it is iterated, never synchronously.
  expect(() => model.stream([gray(10)], { conf: 3 })).not.toThrow();
  await expect(collect(model.stream([gray(10)], { conf: 3 }))).rejects.toMatchObject({ code: 'E_BAD_OPTION' });
});

test('dispose waits for in-flight work; streaming after dispose is an error', async () => {
  const local = await FastSAM.load(tinySegmentModel({ size: 64, boxes: [], protos: new Float32Array(32 * 256) }));
  const running = local.predict([gray(10), gray(20), gray(30)]);
  await local.dispose();
  expect(await running).toHaveLength(3);
  await expect(collect(local.stream([gray(10)]))).rejects.toMatchObject({ code: 'E_DISPOSED' });
  await expect(local.predict(gray(10))).rejects.toMatchObject({ code: 'E_DISPOSED' });
});
