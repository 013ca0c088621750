/**
 * CMakeLists.txt (cmake-js) builds the same core addon as binding.gyp: build it aside and use it. Where a
 * CUDA compiler is installed it also builds the GPU addon (the CUDA kernels, without TensorRT here), which
 * must load and report on a machine without a GPU instead of failing.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.resolve(__dirname, '../..');
const hasCmake = spawnSync('cmake', ['--version']).status === 0;
const hasNvcc = spawnSync('nvcc', ['--version']).status === 0;
if (!hasCmake) console.warn('skipping the cmake-js build test: cmake is not installed');

(hasCmake ? test : test.skip)(
  'cmake-js builds a loadable fastsam.node from the same sources',
  () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'fastsam-cmake-'));
    try {
      execFileSync(path.join(root, 'node_modules/.bin/cmake-js'), ['compile', '-O', out], { cwd: root, stdio: 'pipe' });
      const addon = path.join(out, 'Release', 'fastsam.node');
      const script = `const a = require(${JSON.stringify(addon)});
      console.log(JSON.stringify([Object.keys(a).sort(), a.letterboxGeometry({ height: 667, width: 1000, newHeight: 640, newWidth: 640, stride: 32, auto: false, scaleUp: true })]));`;
      const [keys, geometry] = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }));
      expect(keys).toEqual([
        'detect',
        'letterbox',
        'letterboxGeometry',
        'paintIndexMap',
        'refineMasks',
        'renderMasks',
        'traceContours',
        'unpackMasks',
      ]);
      // The spec's example: 1000x667 at 640 -> 640x427, top 106, bottom 107.
      expect(geometry).toMatchObject({ unpadWidth: 640, unpadHeight: 427, top: 106, bottom: 107, height: 640 });
      if (hasNvcc) expectGpuAddon(path.join(out, 'Release', 'fastsam_tensorrt.node'));
      else console.warn('no nvcc: the GPU addon (CUDA kernels) was not built by this test');
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  },
  300_000,
); // the CUDA kernels take a minute to compile on two cores

/** The kernels-only GPU addon loads without a GPU, reports what it found, and rejects work cleanly. */
function expectGpuAddon(addon: string): void {
  const script = `const a = require(${JSON.stringify(addon)});
    const probe = a.probe();
    a.postprocess(new Float32Array(37 * 8), new Float32Array(32 * 16), { batch: 1, rows: 37, anchors: 8, nm: 32, protoHeight: 4,
      protoWidth: 4, conf: 0.4, iou: 0.9, agnostic: false, maxDet: 300, nc: 1, fullImageBox: true, inputHeight: 16, inputWidth: 16,
      origShapes: [[16, 16]], mode: 'native' })
      .then(() => 'resolved', (e) => e.message)
      .then((outcome) => console.log(JSON.stringify([Object.keys(a).sort(), probe, outcome])));`;
  const [keys, probe, outcome] = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }));
  expect(keys).toEqual(['letterbox', 'postprocess', 'probe']);
  expect(probe).toMatchObject({ cudaRuntime: expect.stringMatching(/^\d+\.\d+$/), tensorrt: null });
  if (probe.devices.length === 0) expect(outcome).toMatch(/CUDA/);
}
