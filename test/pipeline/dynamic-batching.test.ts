/** Dynamic batching: concurrent predict() calls share one network run and get their own results back. */
import * as ort from 'onnxruntime-node';
import { FastSAM } from '../../lib/pipeline/fastsam';
import { tinySegmentModel } from '../../scripts/fixtures/tiny-models';

const boxes = [{ cx: 32, cy: 32, w: 20, h: 20, score: 0.9, coef: new Array(32).fill(0.1) }];
const protos = new Float32Array(32 * 256).fill(1);
const gray = (w: number) => ({ data: new Uint8Array(w * 32 * 3).fill(100), width: w, height: 32, channels: 3 as const });

type Run = (feeds: Record<string, ort.Tensor>, ...rest: unknown[]) => Promise<unknown>;

/** Counts the batch sizes the real session runs (the runs themselves go through unchanged). */
function spyOnRuns(): { sizes: number[]; restore: () => void } {
  const sizes: number[] = [];
  // onnxruntime-node's InferenceSession class, typed as a factory in its declarations.
  const proto = (ort.InferenceSession as unknown as { prototype: { run: Run } }).prototype;
  const original = proto.run;
  const spy = jest.spyOn(proto, 'run').mockImplementation(function (this: unknown, feeds, ...rest) {
    sizes.push(Number(Object.values(feeds)[0].dims[0]));
    return original.call(this, feeds, ...rest);
  });
  return { sizes, restore: () => spy.mockRestore() };
}

test('concurrent calls within the window run as one batch; results go back to their callers', async () => {
  const model = await FastSAM.load(tinySegmentModel({ size: 64, boxes, protos, dynamic: true }), {
    dynamicBatching: { windowMs: 20, maxBatch: 8 },
  });
  expect(model.batching).toBe(true);
  const spy = spyOnRuns();
  try {
    const results = await Promise.all([10, 20, 30, 40].map((w) => model.predict(gray(w))));
    expect(results.map(([r]) => r.origShape[1])).toEqual([10, 20, 30, 40]);
    expect(results.every(([r]) => r.length === 1)).toBe(true);
    expect(spy.sizes).toEqual([4]);
  } finally {
    spy.restore();
    await model.dispose();
  }
});

test('maxBatch splits large bursts; off by default; static-batch models ignore it', async () => {
  const model = await FastSAM.load(tinySegmentModel({ size: 64, boxes, protos, dynamic: true }), {
    dynamicBatching: { windowMs: 20, maxBatch: 2 },
  });
  const spy = spyOnRuns();
  try {
    await Promise.all([10, 20, 30].map((w) => model.predict(gray(w))));
    expect(spy.sizes.sort()).toEqual([1, 2]);
  } finally {
    spy.restore();
    await model.dispose();
  }
  const plain = await FastSAM.load(tinySegmentModel({ size: 64, boxes, protos, dynamic: true }));
  expect(plain.batching).toBe(false);
  await plain.dispose();
  const fixed = await FastSAM.load(tinySegmentModel({ size: 64, boxes, protos }), { dynamicBatching: true });
  expect(fixed.batching).toBe(false);
  await fixed.dispose();
});
