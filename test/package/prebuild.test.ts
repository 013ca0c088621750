/**
 * The package as a user installs it: package.json, dist/ and prebuilds/ only (no build/ folder, no
 * native sources, no compiler involved), loading the addon from prebuilds/<platform>-<arch>/ through
 * node-gyp-build, and segmenting an image in a separate Node process.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { tinySegmentModel } from '../../scripts/fixtures/tiny-models';

const root = path.resolve(__dirname, '../..');
const prebuildDir = path.join(root, 'prebuilds', `${process.platform}-${process.arch}`);

const ready = fs.existsSync(prebuildDir) && fs.existsSync(path.join(root, 'dist/index.js'));
if (!ready) console.warn('skipping the prebuild test: run `npm test` (or npm run prebuild && npm run build:ts) first');

(ready ? describe : describe.skip)('installed package', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fastsam-install-'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  test('loads its addon from prebuilds/ alone and predicts', () => {
    const nodeModules = path.join(tmp, 'node_modules');
    const pkg = path.join(nodeModules, 'fastsam-node');
    fs.mkdirSync(pkg, { recursive: true });
    fs.copyFileSync(path.join(root, 'package.json'), path.join(pkg, 'package.json'));
    fs.cpSync(path.join(root, 'dist'), path.join(pkg, 'dist'), { recursive: true });
    fs.cpSync(path.join(root, 'prebuilds'), path.join(pkg, 'prebuilds'), { recursive: true });
    // The runtime dependencies, as npm would have installed them next to the package.
    for (const entry of fs.readdirSync(path.join(root, 'node_modules'))) {
      if (entry.startsWith('.') || entry === 'fastsam-node') continue;
      fs.symlinkSync(path.join(root, 'node_modules', entry), path.join(nodeModules, entry));
    }
    const model = path.join(tmp, 'tiny.onnx');
    fs.writeFileSync(
      model,
      tinySegmentModel({
        size: 64,
        boxes: [{ cx: 32, cy: 32, w: 20, h: 20, score: 0.9, coef: new Array(32).fill(0.1) }],
        protos: new Float32Array(32 * 256).fill(1),
      }),
    );
    const script = `
      const { FastSAM } = require('fastsam-node');
      const addon = require('node-gyp-build').path(require('path').dirname(require.resolve('fastsam-node/package.json')));
      (async () => {
        const m = await FastSAM.load(${JSON.stringify(model)});
        const [r] = await m.predict({ data: new Uint8Array(64 * 64 * 3), width: 64, height: 64, channels: 3 });
        const rle = await r.masks.toRLE();
        console.log(JSON.stringify({ addon, n: r.length, box: Array.from(r.boxes.xyxy), runs: rle[0].counts.length }));
        await m.dispose();
      })().catch((e) => { console.error(e); process.exit(1); });`;
    const out = execFileSync(process.execPath, ['-e', script], { cwd: tmp, encoding: 'utf8' });
    const report = JSON.parse(out.trim().split('\n').pop()!);
    expect(report.addon).toContain(path.join(pkg, 'prebuilds'));
    expect(fs.existsSync(path.join(pkg, 'build'))).toBe(false);
    expect(report.n).toBe(1);
    expect(report.box).toEqual([22, 22, 42, 42]);
    expect(report.runs).toBeGreaterThan(1);
  });

  test('the prebuilt binary is stripped and depends on no CUDA or TensorRT library', () => {
    const binary = fs.readdirSync(prebuildDir).find((f) => f.endsWith('.node'))!;
    const deps = execFileSync('ldd', [path.join(prebuildDir, binary)], { encoding: 'utf8' });
    expect(deps).not.toMatch(/cuda|nvinfer|cudart/i);
    // binutils' nm (there with g++) reports a stripped object as having no symbols.
    const symbols = spawnSync('nm', [path.join(prebuildDir, binary)], { encoding: 'utf8' });
    expect(symbols.stderr).toMatch(/no symbols/);
  });
});
