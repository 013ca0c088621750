/**
 * The use-after-free of issue 13 checked at the memory level: the core addon is built with
 * AddressSanitizer and driven by transfer-driver.js under node with libasan preloaded. The driver
 * transfers every input buffer right after each async call and forces a garbage collection, so the
 * memory is really freed while the work runs; a binding that read it would stop the run with a
 * heap-use-after-free report. (Before the bindings copied their inputs, letterbox failed this at once.)
 * Needs Linux, g++ with libasan and Node's headers; skips, saying so, without them.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const CXX = process.env.CXX || 'g++';
const NODE_INCLUDE = path.resolve(path.dirname(process.execPath), '..', 'include', 'node');

function libasan(): string | undefined {
  const found = spawnSync(CXX, ['-print-file-name=libasan.so'], { encoding: 'utf8' });
  const file = found.stdout?.trim();
  return found.status === 0 && file && path.isAbsolute(file) && fs.existsSync(file) ? file : undefined;
}

const asan = process.platform === 'linux' ? libasan() : undefined;
const runnable = asan !== undefined && fs.existsSync(path.join(NODE_INCLUDE, 'node_api.h'));
if (!runnable) console.warn(`skipping the ASan transfer test: needs Linux, ${CXX} with libasan and ${NODE_INCLUDE}/node_api.h`);

(runnable ? test : test.skip)(
  'no async entry point reads a buffer transferred and freed while it runs',
  () => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'fastsam-transfer-asan-'));
    try {
      const addon = path.join(work, 'fastsam.node');
      const sources = ['native/core', 'native/binding'].flatMap((dir) =>
        fs
          .readdirSync(path.join(ROOT, dir))
          .filter((f) => f.endsWith('.cc'))
          .map((f) => path.join(ROOT, dir, f)),
      );
      const build = spawnSync(
        CXX,
        [
          '-std=c++17', '-O1', '-g', '-shared', '-fPIC', '-pthread',
          '-fsanitize=address', '-fno-omit-frame-pointer',
          '-DNAPI_VERSION=8', '-DNAPI_CPP_EXCEPTIONS',
          `-I${NODE_INCLUDE}`, `-I${path.join(ROOT, 'node_modules/node-addon-api')}`,
          ...sources, '-o', addon,
        ],
        { encoding: 'utf8', timeout: 540_000 },
      );
      if (build.status !== 0) throw new Error(`building the ASan addon failed (${build.status ?? build.signal}):\n${build.stderr}`);
      const run = spawnSync(process.execPath, ['--expose-gc', path.join(__dirname, 'transfer-driver.js'), addon], {
        encoding: 'utf8',
        timeout: 240_000,
        env: { ...process.env, LD_PRELOAD: asan, ASAN_OPTIONS: 'detect_leaks=0:halt_on_error=1' },
      });
      const output = `${run.stdout ?? ''}${run.stderr ?? ''}`;
      expect(output).not.toContain('AddressSanitizer');
      if (run.status !== 0) throw new Error(`the transfer driver exited with ${run.status ?? run.signal}:\n${output}`);
      expect(output).toContain('transfer driver: every entry point done');
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  },
  900_000,
);
