/**
 * Compiles native/tests/tensorrt/engine_cache_test.cc with the pure C++ parts of the TensorRT backend
 * (native/tensorrt/engine_cache.cc: the engine cache file format and its checksum, atomic writes;
 * native/tensorrt/onnx_input.cc: the ONNX input-shape reader) under ASan + UBSan and runs it. A corrupt
 * or stale cache must be refused, never deserialized, and these files read user-supplied bytes, so
 * memory errors matter here even though no GPU is involved. Needs a C++ compiler (CXX, default g++);
 * skips, saying so, without one.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { tinySegmentModel, writeFixture } from '../../scripts/fixtures/tiny-models';
import { hasShared, sharedPath } from '../helpers/shared';

const ROOT = path.resolve(__dirname, '../..');
const CXX = process.env.CXX || 'g++';

function hasProgram(program: string): boolean {
  return !spawnSync(program, ['--version'], { stdio: 'ignore' }).error;
}

const runnable = process.platform !== 'win32' && hasProgram(CXX);
if (!runnable) console.warn(`skipping engine cache tests: needs a C++ compiler (${CXX})`);
const describeIfCompiler = runnable ? describe : describe.skip;

describeIfCompiler('TensorRT engine cache (pure C++) under sanitizers', () => {
  let work = '';
  let binary = '';
  let runs = 0;

  // Same flags as scripts/native-sanitize.sh: any sanitizer report aborts with a non-zero exit.
  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'fastsam-engine-cache-'));
    binary = path.join(work, 'engine_cache_test');
    const args = [
      '-std=c++17', '-g', '-O1', '-pthread', '-Wall', '-Wextra',
      '-fsanitize=address,undefined,float-cast-overflow', '-fno-omit-frame-pointer',
      '-fno-sanitize-recover=all', '-D_GLIBCXX_ASSERTIONS',
      path.join(ROOT, 'native/tests/tensorrt/engine_cache_test.cc'),
      path.join(ROOT, 'native/tensorrt/engine_cache.cc'),
      path.join(ROOT, 'native/tensorrt/onnx_input.cc'),
      '-o', binary,
    ];
    const build = spawnSync(CXX, args, { encoding: 'utf8', timeout: 240_000 });
    if (build.status !== 0) {
      throw new Error(`compiling engine_cache_test failed (${build.status ?? build.signal}):\n${build.stdout}${build.stderr}`);
    }
  }, 300_000);

  afterAll(() => {
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  // Each run gets its own empty directory for the cache files it writes.
  function run(...models: string[]): string {
    const dir = path.join(work, `run-${runs++}`);
    fs.mkdirSync(dir);
    const result = spawnSync(binary, [dir, ...models], {
      encoding: 'utf8',
      timeout: 120_000,
      env: {
        ...process.env,
        ASAN_OPTIONS: process.env.ASAN_OPTIONS ?? 'detect_leaks=1:strict_string_checks=1',
        UBSAN_OPTIONS: process.env.UBSAN_OPTIONS ?? 'print_stacktrace=1',
      },
    });
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
    if (result.status !== 0) throw new Error(`engine_cache_test exited with ${result.status ?? result.signal}:\n${output}`);
    expect(output).toContain('engine cache checks passed');
    return output;
  }

  test('checksum vectors, readable file names, cache round trip, stale/corrupt files refused, atomic writes', () => {
    run();
  }, 180_000);

  test('reads the input shape of ONNX models written by the fixture builder', () => {
    const fixtures = path.join(work, 'fixtures');
    const staticModel = path.join(fixtures, 'static.onnx');
    const batch2Model = path.join(fixtures, 'batch2.onnx');
    const dynamicModel = path.join(fixtures, 'dynamic.onnx');
    const protos = new Float32Array(32 * 16 * 16);
    writeFixture(staticModel, tinySegmentModel({ size: 64, boxes: [], protos }));
    writeFixture(batch2Model, tinySegmentModel({ size: 64, boxes: [], protos, batch: 2 }));
    writeFixture(dynamicModel, tinySegmentModel({ size: 64, boxes: [], protos, dynamic: true }));
    const output = run(staticModel, batch2Model, dynamicModel);
    expect(output).toContain('onnx input: images [1,3,64,64] elem 1');
    expect(output).toContain('onnx input: images [2,3,64,64] elem 1');
    // Symbolic dims come back as -1: the engine layer refuses the dynamic height/width with a clear message.
    expect(output).toContain('onnx input: images [-1,3,-1,-1] elem 1');
  }, 180_000);

  const realModel = 'models/FastSAM-s-random-640.onnx';
  const testWithModel = hasShared(realModel) ? test : test.skip;
  if (!hasShared(realModel)) console.warn(`skipping the real-model ONNX input test: ${sharedPath(realModel)} is absent`);
  testWithModel('reads the input shape of a real FastSAM-s export', () => {
    expect(run(sharedPath(realModel))).toContain('onnx input: images [1,3,640,640] elem 1');
  }, 180_000);
});
