/**
 * Building from source, the documented fallback where no prebuild matches: CMakeLists.txt (cmake-js)
 * builds the core addon from exactly the files the package ships (what `npm pack` lists, copied aside),
 * into build/Release, where node-gyp-build looks first. The package holds no binding.gyp (see
 * consumer.test.ts), so this is the build a user can run in an installed package.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.resolve(__dirname, '../..');
const hasCmake = spawnSync('cmake', ['--version']).status === 0;
if (!hasCmake) console.warn('skipping the cmake-js build test: cmake is not installed');

(hasCmake ? test : test.skip)(
  "cmake-js builds a loadable fastsam.node from the package's own files",
  () => {
    const pkg = fs.mkdtempSync(path.join(os.tmpdir(), 'fastsam-cmake-'));
    try {
      const listed = JSON.parse(
        execFileSync('npm', ['pack', '--dry-run', '--ignore-scripts', '--json'], { cwd: root, encoding: 'utf8' }),
      ) as Array<{
        files: Array<{ path: string }>;
      }>;
      for (const { path: file } of listed[0].files) {
        if (file.startsWith('dist/') || file.startsWith('prebuilds/')) continue; // not needed to build
        fs.mkdirSync(path.dirname(path.join(pkg, file)), { recursive: true });
        fs.copyFileSync(path.join(root, file), path.join(pkg, file));
      }
      fs.symlinkSync(path.join(root, 'node_modules'), path.join(pkg, 'node_modules')); // as npm installed them
      // The core target only: the GPU addon is built (and tested) as a prebuild, see gpu-prebuild.test.ts.
      execFileSync(path.join(root, 'node_modules/.bin/cmake-js'), ['compile', '-T', 'fastsam', '--CDFASTSAM_GPU=OFF'], {
        cwd: pkg,
        stdio: 'pipe',
      });
      const script = `const a = require('node-gyp-build')(${JSON.stringify(pkg)});
      console.log(JSON.stringify([require('node-gyp-build').path(${JSON.stringify(pkg)}), Object.keys(a).sort(),
        a.letterboxGeometry({ height: 667, width: 1000, newHeight: 640, newWidth: 640, stride: 32, auto: false, scaleUp: true })]));`;
      const [loaded, keys, geometry] = JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: pkg, encoding: 'utf8' }));
      expect(loaded).toBe(path.join(pkg, 'build', 'Release', 'fastsam.node'));
      expect(keys).toEqual([
        'blendIndexMap',
        'clipImage',
        'clipPreprocess',
        'cropsToRle',
        'detect',
        'letterbox',
        'letterboxBatch',
        'letterboxGeometry',
        'maskPrototypes',
        'masksNearPoints',
        'measureMasks',
        'paintIndexMap',
        'paintMasks',
        'refineMasks',
        'renderMasks',
        'smallestOnTop',
        'traceContours',
        'unpackMasks',
      ]);
      // The spec's example: 1000x667 at 640 -> 640x427, top 106, bottom 107.
      expect(geometry).toMatchObject({ unpadWidth: 640, unpadHeight: 427, top: 106, bottom: 107, height: 640 });
    } finally {
      fs.rmSync(pkg, { recursive: true, force: true });
    }
  },
  300_000,
);
