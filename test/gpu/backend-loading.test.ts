/**
 * Choosing the GPU backend where it cannot run (no GPU needed): 'tensorrt' fails with
 * E_BACKEND_UNAVAILABLE listing what is missing, 'auto' falls back to the CPU and says why, and the GPU
 * options are checked like every other option.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FastSAMError } from '../../lib/errors';
import { gpuAvailability } from '../../lib/backends/tensorrt/load';
import { FastSAM } from '../../lib/pipeline/fastsam';
import { tinySegmentModel } from '../../scripts/fixtures/tiny-models';
import { GPU_TESTS } from '../helpers/gpu';

const bytes = tinySegmentModel({
  size: 64,
  boxes: [{ cx: 32, cy: 32, w: 20, h: 20, score: 0.9, coef: new Array(32).fill(0.1) }],
  protos: new Float32Array(32 * 256).fill(1),
});
let dir: string;
const savedAddon = process.env.FASTSAM_GPU_ADDON;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fastsam-gpu-load-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  if (savedAddon === undefined) delete process.env.FASTSAM_GPU_ADDON;
  else process.env.FASTSAM_GPU_ADDON = savedAddon;
});

async function loadError(promise: Promise<unknown>): Promise<FastSAMError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(FastSAMError);
  return error as FastSAMError;
}

// On a GPU machine with the addon built these conditions do not hold; the GPU suite covers it there.
(GPU_TESTS ? describe.skip : describe)('without a usable GPU backend', () => {
  test('an addon that is not built is named, with where it was looked for', async () => {
    process.env.FASTSAM_GPU_ADDON = path.join(dir, 'nowhere', 'fastsam_tensorrt.node');
    const error = await loadError(FastSAM.load(bytes, { backend: 'tensorrt' }));
    expect(error.code).toBe('E_BACKEND_UNAVAILABLE');
    expect(error.message).toContain('fastsam_tensorrt.node, which is not built');
    expect(error.message).toContain(path.join(dir, 'nowhere'));
    expect(error.message).toContain('npm run build:gpu');
  });

  test('an addon that does not load says why', async () => {
    const broken = path.join(dir, 'broken.node');
    fs.writeFileSync(broken, 'not a shared object');
    process.env.FASTSAM_GPU_ADDON = broken;
    const error = await loadError(FastSAM.load(bytes, { backend: 'tensorrt' }));
    expect(error.code).toBe('E_BACKEND_UNAVAILABLE');
    expect(error.message).toMatch(/broken\.node failed to load/);
    expect(gpuAvailability(0, { engine: true }).missing).toHaveLength(1);
  });

  test("'auto' falls back to the CPU, warns once with the reason, and predicts", async () => {
    process.env.FASTSAM_GPU_ADDON = path.join(dir, 'absent.node');
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      const model = await FastSAM.load(bytes, { backend: 'auto' });
      expect(model.backendName).toBe('cpu');
      expect(model.backendNote).toMatch(/^the CPU \(ONNX Runtime\), because the tensorrt backend cannot run here \(missing: the GPU addon/);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0][0])).toMatch(/^fastsam: backend 'auto' is using the CPU .*absent\.node/);
      expect(warn.mock.calls[0][1]).toEqual({ code: 'FASTSAM_BACKEND_FALLBACK' });
      const [result] = await model.predict({ data: new Uint8Array(64 * 64 * 3).fill(128), width: 64, height: 64, channels: 3 });
      expect(result.length).toBe(1);
      await model.dispose();
    } finally {
      warn.mockRestore();
    }
  });
});

test.each([
  [{ precision: 'fp8' as 'fp16' }, /precision/],
  [{ maxBatch: 0 }, /maxBatch/],
  [{ maxBatch: 1.5 }, /maxBatch/],
  [{ device: -1 }, /device/],
  [{ device: 0.5 }, /device/],
  [{ engineCacheDir: '' }, /engineCacheDir/],
  [{ onProgress: 'loud' as unknown as () => void }, /onProgress/],
])('GPU option %p is checked before anything loads', async (options, message) => {
  const error = await loadError(FastSAM.load(bytes, { backend: 'tensorrt', ...options }));
  expect(error.code).toBe('E_BAD_OPTION');
  expect(error.message).toMatch(message);
});
