/**
 * The core addon must build on Windows and macOS too (release.yml builds it there; no such machine is
 * here). What can be checked on Linux: the core, the binding and the platform-neutral parts of the
 * TensorRT backend compile against MinGW-w64's Windows headers and C++ library (-fsyntax-only,
 * -pedantic: no POSIX-only headers or calls, no GNU extensions MSVC lacks). Skips without MinGW-w64
 * (apt-get install g++-mingw-w64-x86-64-posix; .ci/run installs it).
 */
import { execFile, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';

const root = path.resolve(__dirname, '../..');
const compiler = 'x86_64-w64-mingw32-g++-posix';
const hasMingw = !spawnSync(compiler, ['--version'], { stdio: 'ignore' }).error;
if (!hasMingw) console.warn(`skipping the Windows portability check: ${compiler} is not installed`);

const sources = [
  ...['native/core', 'native/binding'].flatMap((dir) =>
    fs
      .readdirSync(path.join(root, dir))
      .filter((f) => f.endsWith('.cc'))
      .map((f) => `${dir}/${f}`),
  ),
  'native/tensorrt/engine_cache.cc',
  'native/tensorrt/onnx_input.cc',
  'native/tensorrt/tensorrt_library.cc',
];

(hasMingw ? test : test.skip)(
  'the core, the binding and the TensorRT loader compile against Windows headers',
  async () => {
    /* eslint-disable @typescript-eslint/no-require-imports */
    const includes = [require('node-api-headers').include_dir as string, require('node-addon-api').include_dir as string];
    /* eslint-enable @typescript-eslint/no-require-imports */
    // The Node-API headers are not ours to warn about.
    const args = ['-std=c++17', '-fsyntax-only', '-pedantic', '-Wall', '-Wextra', '-Werror', '-DNAPI_VERSION=8', '-DNAPI_CPP_EXCEPTIONS'];
    args.push(...includes.map((dir) => `-isystem${path.resolve(root, dir)}`));
    const failures: string[] = [];
    const queue = [...sources];
    const worker = async () => {
      for (let source = queue.shift(); source; source = queue.shift()) {
        await promisify(execFile)(compiler, [...args, source], { cwd: root }).catch((error: { stderr?: string }) => {
          failures.push(`${source}:\n${(error.stderr ?? String(error)).split('\n').slice(0, 6).join('\n')}`);
        });
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, os.cpus().length) }, worker));
    expect(failures).toEqual([]);
  },
  300_000,
);
