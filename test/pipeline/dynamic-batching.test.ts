/** Dynamic batching: concurrent predict() calls share backend runs and get their own results back. */
import type { BatchInfo } from '../../lib/pipeline/dispatcher';
import { FastSAM } from '../../lib/pipeline/fastsam';
import { tinySegmentModel } from '../../scripts/fixtures/tiny-models';

const boxes = [{ cx: 32, cy: 32, w: 20, h: 20, score: 0.9, coef: new Array(32).fill(0.1) }];
const protos = new Float32Array(32 * 256).fill(1);
const gray = (w: number) => ({ data: new Uint8Array(w * 32 * 3).fill(100), width: w, height: 32, channels: 3 as const });
const dynamicModel = () => tinySegmentModel({ size: 64, boxes, protos, dynamic: true });

/** The sizes of the runs the model makes, as it reports them. */
function batchSizes(model: FastSAM): number[] {
  const sizes: number[] = [];
  model.on('batch', (info: BatchInfo) => sizes.push(info.size));
  return sizes;
}

test('concurrent calls within the delay run as one batch; results go back to their callers', async () => {
  const model = await FastSAM.load(dynamicModel(), { dynamicBatching: { maxQueueDelayMs: 50, maxBatch: 8 } });
  expect(model.batching).toBe(true);
  const sizes = batchSizes(model);
  try {
    const results = await Promise.all([10, 20, 30, 40].map((w) => model.predict(gray(w))));
    expect(results.map(([r]) => r.origShape[1])).toEqual([10, 20, 30, 40]);
    expect(results.every(([r]) => r.length === 1)).toBe(true);
    expect(sizes).toEqual([4]);
  } finally {
    await model.dispose();
  }
});

test('maxBatch splits large bursts; preferred sizes go out at once; off by default; static-batch models ignore it', async () => {
  const model = await FastSAM.load(dynamicModel(), { dynamicBatching: { maxQueueDelayMs: 50, maxBatch: 2 } });
  const sizes = batchSizes(model);
  try {
    await Promise.all([10, 20, 30].map((w) => model.predict(gray(w))));
    expect(sizes.sort()).toEqual([1, 2]);
  } finally {
    await model.dispose();
  }
  // A preferred size of 2 sends two images as soon as they are there; the third waits out its delay alone.
  const preferring = await FastSAM.load(dynamicModel(), {
    dynamicBatching: { maxQueueDelayMs: 50, maxBatch: 4, preferredBatchSizes: [2] },
  });
  const preferredSizes = batchSizes(preferring);
  await Promise.all([10, 20, 30].map((w) => preferring.predict(gray(w))));
  expect(preferredSizes).toEqual([2, 1]);
  await preferring.dispose();

  const plain = await FastSAM.load(dynamicModel());
  expect(plain.batching).toBe(false);
  await plain.dispose();
  const fixed = await FastSAM.load(tinySegmentModel({ size: 64, boxes, protos }), { dynamicBatching: true });
  expect(fixed.batching).toBe(false);
  await fixed.dispose();
});

test('requests with different options never share a run', async () => {
  const model = await FastSAM.load(dynamicModel(), { dynamicBatching: { maxQueueDelayMs: 50 } });
  const sizes = batchSizes(model);
  try {
    const [a, b, c] = await Promise.all([
      model.predict(gray(10), { conf: 0.5 }),
      model.predict(gray(20), { conf: 0.95 }),
      model.predict(gray(30), { conf: 0.5 }),
    ]);
    expect(sizes.sort()).toEqual([1, 2]);
    expect([a[0].length, b[0].length, c[0].length]).toEqual([1, 0, 1]);
  } finally {
    await model.dispose();
  }
});

test('a full queue refuses with E_OVERLOADED; an aborted request rejects with E_ABORTED and leaves the others alone', async () => {
  const model = await FastSAM.load(dynamicModel(), { dynamicBatching: { maxQueueDelayMs: 200, maxBatch: 8, maxQueue: 2 } });
  try {
    const controller = new AbortController();
    const first = model.predict(gray(10), { signal: controller.signal });
    const second = model.predict(gray(20));
    const third = model.predict(gray(30));
    // The first two wait for company (queue depth 2); the third does not fit.
    await expect(third).rejects.toMatchObject({ code: 'E_OVERLOADED' });
    expect(model.queueDepth).toBe(2);
    controller.abort();
    await expect(first).rejects.toMatchObject({ code: 'E_ABORTED' });
    const [result] = await second;
    expect(result.origShape).toEqual([32, 20]);
    // Already aborted: refused before any work.
    await expect(model.predict(gray(10), { signal: controller.signal })).rejects.toMatchObject({ code: 'E_ABORTED' });
  } finally {
    await model.dispose();
  }
});

test('a model that takes one image per run shares no runs, but its queue is still bounded', async () => {
  const model = await FastSAM.load(tinySegmentModel({ size: 64, boxes, protos }), { dynamicBatching: { maxBatch: 8, maxQueue: 1 } });
  expect(model.batching).toBe(false);
  const sizes = batchSizes(model);
  try {
    const outcomes = await Promise.allSettled([10, 20, 30].map((w) => model.predict(gray(w))));
    // The first is admitted; of the others, those arriving while one waits find the queue full.
    const codes = outcomes.map((o) => (o.status === 'fulfilled' ? 'ok' : (o.reason as { code: string }).code));
    expect(codes[0]).toBe('ok');
    expect(codes.every((c) => c === 'ok' || c === 'E_OVERLOADED')).toBe(true);
    expect(codes).toContain('E_OVERLOADED');
    expect(sizes.every((n) => n === 1)).toBe(true);
  } finally {
    await model.dispose();
  }
});
