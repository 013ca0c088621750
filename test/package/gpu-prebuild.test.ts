/**
 * The GPU addon as a prebuild (prebuilds/<platform>-<arch>/tensorrt/fastsam_tensorrt.node, made where nvcc
 * is installed): it depends on no CUDA or TensorRT library (the CUDA runtime is linked in, TensorRT is
 * opened at run time), the library finds it there, and on a machine without a GPU, driver or TensorRT it
 * loads and says what is missing instead of failing.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FastSAMError } from '../../lib/errors';
import { gpuAddon, gpuAvailability, requireGpu } from '../../lib/backends/tensorrt/load';
import { GPU_TESTS } from '../helpers/gpu';

const root = path.resolve(__dirname, '../..');
const addonPath = path.join(root, 'prebuilds', `${process.platform}-${process.arch}`, 'tensorrt', 'fastsam_tensorrt.node');
const built = fs.existsSync(addonPath);
if (!built) console.warn(`skipping the GPU prebuild tests: no ${addonPath} (scripts/prebuild.js gpu builds it where nvcc is installed)`);
const localBuild = fs.existsSync(path.join(root, 'build', 'Release', 'fastsam_tensorrt.node'));

(built ? describe : describe.skip)('the prebuilt GPU addon', () => {
  const saved = process.env.FASTSAM_GPU_ADDON;
  beforeAll(() => delete process.env.FASTSAM_GPU_ADDON);
  afterAll(() => {
    if (saved !== undefined) process.env.FASTSAM_GPU_ADDON = saved;
  });

  const readelf = spawnSync('readelf', ['--version']).status === 0;
  (readelf ? test : test.skip)('links no CUDA or TensorRT library, and exports no TensorRT symbol it would need', () => {
    const dynamic = spawnSync('readelf', ['-d', '--wide', addonPath], { encoding: 'utf8' }).stdout;
    const needed = [...dynamic.matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1]);
    expect(needed.length).toBeGreaterThan(0);
    expect(needed.filter((lib) => /cuda|nvinfer|nvonnxparser|nvrtc|cublas/i.test(lib))).toEqual([]);
    const undefinedSymbols = spawnSync('nm', ['-D', '--undefined-only', addonPath], { encoding: 'utf8' }).stdout;
    expect(undefinedSymbols).not.toMatch(/nvinfer|nvonnx|_INTERNAL|getInferLibVersion|cudaMalloc/);
  });

  (localBuild ? test.skip : test)('is the GPU addon the library loads (no build of its own in build/Release)', () => {
    const loaded = gpuAddon();
    expect('path' in loaded ? loaded.path : loaded.missing.join('; ')).toBe(addonPath);
  });

  (GPU_TESTS ? test.skip : test)('without a GPU it loads, probes, and names what is missing', async () => {
    const { probe, missing } = gpuAvailability(0, { engine: true });
    expect(probe?.cudaRuntime).toMatch(/^\d+\.\d+$/);
    if (!probe?.cudaDriver) expect(missing).toContain('an NVIDIA driver (libcuda.so.1 was not found)');
    if (probe?.tensorrtBuiltFor.length === 0) {
      expect(missing.join('; ')).toMatch(/TensorRT in the GPU addon \(.* was built without it/);
    } else if (!probe?.tensorrt) {
      // An addon with the engine, on a machine without TensorRT: every soname tried is named.
      expect(missing.join('; ')).toMatch(/libnvinfer\.so\.\d+/);
    }
    let error: unknown;
    try {
      requireGpu(0, { engine: true });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FastSAMError);
    expect((error as FastSAMError).code).toBe('E_BACKEND_UNAVAILABLE');
    expect((error as FastSAMError).message).toContain(missing[0]);
    // The kernels reject work cleanly (no GPU), never crash the process.
    const binding = gpuAddon();
    if (!('binding' in binding)) throw new Error(binding.missing.join('; '));
    const request = {
      batch: 1,
      rows: 37,
      anchors: 8,
      nm: 32,
      protoHeight: 4,
      protoWidth: 4,
      conf: 0.4,
      iou: 0.9,
      agnostic: false,
      maxDet: 300,
      nc: 1,
      fullImageBox: true,
      inputHeight: 16,
      inputWidth: 16,
      origShapes: [[16, 16]] as Array<[number, number]>,
      mode: 'native' as const,
    };
    const outcome = await binding.binding.postprocess(new Float32Array(37 * 8), new Float32Array(32 * 16), request).then(
      () => 'resolved',
      (e: Error) => e.message,
    );
    if (probe?.devices.length === 0) expect(outcome).toMatch(/CUDA/);
  });
});
