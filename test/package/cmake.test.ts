/** CMakeLists.txt (cmake-js) builds the same core addon as binding.gyp: build it aside and use it. */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.resolve(__dirname, '../..');
const hasCmake = spawnSync('cmake', ['--version']).status === 0;
if (!hasCmake) console.warn('skipping the cmake-js build test: cmake is not installed');

(hasCmake ? test : test.skip)('cmake-js builds a loadable fastsam.node from the same sources', () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'fastsam-cmake-'));
  try {
    execFileSync(path.join(root, 'node_modules/.bin/cmake-js'), ['compile', '-O', out], { cwd: root, stdio: 'pipe' });
    const addon = path.join(out, 'Release', 'fastsam.node');
    const script = `const a = require(${JSON.stringify(addon)});
      console.log(JSON.stringify([Object.keys(a).sort(), a.letterboxGeometry({ height: 667, width: 1000, newHeight: 640, newWidth: 640, stride: 32, auto: false, scaleUp: true })]));`;
    const [keys, geometry] = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }));
    expect(keys).toEqual(['detect', 'letterbox', 'letterboxGeometry', 'paintIndexMap', 'refineMasks', 'renderMasks', 'traceContours', 'unpackMasks']);
    // The spec's example: 1000x667 at 640 -> 640x427, top 106, bottom 107.
    expect(geometry).toMatchObject({ unpadWidth: 640, unpadHeight: 427, top: 106, bottom: 107, height: 640 });
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});
