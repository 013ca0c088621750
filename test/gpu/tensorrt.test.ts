/**
 * The TensorRT backend end to end: build, cache (hit, corrupt file rebuilt), predict, concurrency, against
 * the CPU backend on the same model. Needs FASTSAM_TEST_GPU=1 and a GPU addon built with TensorRT
 * (TENSORRT_ROOT=... npm run build:gpu); with a kernels-only addon it skips, saying so.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { RLE } from '../../lib/masks/masks';
import { FastSAM, type LoadOptions } from '../../lib/pipeline/fastsam';
import { tinySegmentModel } from '../../scripts/fixtures/tiny-models';
import { describeGpu } from '../helpers/gpu';
import { matchDetections } from '../helpers/matching';
import { describeWithShared, readGzipJson, sharedPath } from '../helpers/shared';

const SIZE = 64;
const protos = new Float32Array(32 * 16 * 16);
for (let y = 0; y < 16; y++) for (let x = 0; x < 16; x++) protos[y * 16 + x] = y >= 4 && y < 12 && x >= 2 && x < 9 ? 1 : -1;
const tiny = tinySegmentModel({
  size: SIZE,
  boxes: [
    { cx: 22, cy: 30, w: 30, h: 36, score: 0.9, coef: [1, ...new Array(31).fill(0)] },
    { cx: 44, cy: 40, w: 16, h: 12, score: 0.6, coef: [-1, ...new Array(31).fill(0)] },
  ],
  protos,
});
const image = {
  data: Uint8Array.from({ length: SIZE * 2 * SIZE * 3 }, (_, i) => i % 251),
  width: SIZE * 2,
  height: SIZE,
  channels: 3 as const,
};

describeGpu('TensorRT backend end to end', (gpu) => {
  const engineBuilt = addonHasTensorRt(gpu);
  if (!engineBuilt) {
    test.skip('needs a GPU addon built with TensorRT (TENSORRT_ROOT=... npm run build:gpu)', () => undefined);
    return;
  }
  let cacheDir: string;
  beforeAll(() => {
    cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fastsam-engines-'));
  });
  afterAll(() => fs.rmSync(cacheDir, { recursive: true, force: true }));
  const options = (extra: Partial<LoadOptions> = {}): LoadOptions => ({
    backend: 'tensorrt',
    precision: 'fp32',
    engineCacheDir: cacheDir,
    onProgress: () => undefined,
    ...extra,
  });

  async function expectSameAsCpu(model: FastSAM): Promise<void> {
    const cpu = await FastSAM.load(tiny);
    try {
      for (const retinaMasks of [true, false]) {
        const [want] = await cpu.predict(image, { retinaMasks });
        const [got] = await model.predict(image, { retinaMasks });
        expect(Array.from(got.boxes.xyxy)).toEqual(Array.from(want.boxes.xyxy));
        expect(Array.from(got.boxes.conf)).toEqual(Array.from(want.boxes.conf));
        expect(await got.masks.toRLE()).toEqual(await want.masks.toRLE());
      }
    } finally {
      await cpu.dispose();
    }
  }

  test('a designed model: same boxes and masks as the CPU backend', async () => {
    const stages: string[] = [];
    const model = await FastSAM.load(tiny, options({ onProgress: (stage) => stages.push(stage) }));
    expect(model.backendName).toBe('tensorrt');
    expect(stages.join('\n')).toMatch(/build/i);
    await expectSameAsCpu(model);
    await model.dispose();
  }, 600_000);

  test('the second load comes from the cache; a corrupt cache file is rebuilt, not trusted', async () => {
    await (await FastSAM.load(tiny, options())).dispose(); // built here, or already cached: either way cached now
    const stages: string[] = [];
    const cached = await FastSAM.load(tiny, options({ onProgress: (stage) => stages.push(stage) }));
    expect(stages.join('\n')).toMatch(/loaded from cache/);
    await cached.dispose();
    const files = fs.readdirSync(cacheDir).filter((f) => f.endsWith('.engine'));
    expect(files).toHaveLength(1);
    const file = path.join(cacheDir, files[0]);
    const bytes = fs.readFileSync(file);
    bytes[bytes.length - 10] ^= 0xff;
    fs.writeFileSync(file, bytes);
    const rebuiltStages: string[] = [];
    const rebuilt = await FastSAM.load(tiny, options({ onProgress: (stage) => rebuiltStages.push(stage) }));
    expect(rebuiltStages.join('\n')).toMatch(/rebuilding/);
    await expectSameAsCpu(rebuilt);
    await rebuilt.dispose();
  }, 600_000);

  test('concurrent predicts each get a lane and the same answer', async () => {
    const model = await FastSAM.load(tiny, options());
    const runs = await Promise.all(Array.from({ length: 6 }, () => model.predict(image)));
    const first = await runs[0][0].masks.toRLE();
    for (const [result] of runs) expect(await result.masks.toRLE()).toEqual(first);
    await model.dispose();
  }, 600_000);

  describeWithShared('models/FastSAM-s-random-640.onnx', 'FastSAM-s against the reference', () => {
    test.each(['fp32', 'fp16'] as const)(
      'bus.jpg, %s engine',
      async (precision) => {
        const golden = readGzipJson<{ image: string; conf: number; iou: number; boxes: number[][]; masks: RLE[] }>(
          sharedPath('golden/fastsam-s-random/bus-640-retina.json.gz'),
        );
        const model = await FastSAM.load(sharedPath('models/FastSAM-s-random-640.onnx'), options({ precision }));
        const [result] = await model.predict(sharedPath(golden.image), { conf: golden.conf, iou: golden.iou });
        const report = await matchDetections(result, golden, 0.95, 0.9);
        console.log(`TensorRT ${precision}: ${report.matched}/${report.expected} matched, ${report.found} found`);
        // FP32 differs from the reference only by TensorRT's kernel choices; FP16 by half precision too.
        expect(report.fraction).toBeGreaterThanOrEqual(precision === 'fp32' ? 0.95 : 0.8);
        await model.dispose();
      },
      900_000,
    );
  });
});

function addonHasTensorRt(gpu: () => { probe(): { tensorrt: string | null } }): boolean {
  const version = gpu().probe().tensorrt;
  if (!version) console.warn('skipping the TensorRT end-to-end tests: the GPU addon was built without TensorRT');
  return version !== null;
}
