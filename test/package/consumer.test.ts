/**
 * The package as a user gets it: `npm pack` (without the prepack build: what `npm test` built is packed),
 * then `npm ci --offline` into a new app on a PATH holding only node, npm, npx and sh (no compiler, no
 * make, no python), then require() and predict, `npx fastsam info`, import from an ES module, and tsc
 * type-checking a consumer in both module systems. See offline-install.ts for how npm installs without
 * a network.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { tinySegmentModel } from '../../scripts/fixtures/tiny-models';
import { writeConsumerApp } from './offline-install';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { machineOf } = require('../../scripts/prebuild-machine') as { machineOf: (file: string) => { format: string; cpu?: string } };

const root = path.resolve(__dirname, '../..');
const host = `${process.platform}-${process.arch}`;
const hostAddon = fs.existsSync(path.join(root, 'prebuilds', host))
  ? fs.readdirSync(path.join(root, 'prebuilds', host)).find((f) => f.endsWith('.node'))
  : undefined;
const ready = process.platform !== 'win32' && !!hostAddon && fs.existsSync(path.join(root, 'dist/index.mjs'));
if (!ready) console.warn('skipping the consumer install test: run `node scripts/ensure-built.js` first (dist/ and prebuilds/)');

interface PackResult {
  filename: string;
  size: number;
  unpackedSize: number;
  files: Array<{ path: string; size: number }>;
}

/** Where `program` is on this process's PATH. */
function which(program: string): string {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, program);
    if (dir && fs.existsSync(candidate)) return candidate;
  }
  throw new Error(`${program} is not on the PATH`);
}

(ready ? describe : describe.skip)('the packed package in a new app', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fastsam-consumer-'));
  const app = path.join(tmp, 'app');
  const binDir = path.join(tmp, 'bin');
  let pack: PackResult;
  let install: SpawnSyncReturns<string>;

  /** A command in the app, with only node, npm, npx and sh on the PATH and no npm settings inherited. */
  function inApp(command: string, args: string[]): SpawnSyncReturns<string> {
    return spawnSync(command, args, {
      cwd: app,
      encoding: 'utf8',
      timeout: 240_000,
      env: { PATH: binDir, HOME: process.env.HOME ?? os.homedir(), LANG: 'C', npm_config_cache: npmCache() },
    });
  }

  function npmCache(): string {
    return spawnSync('npm', ['config', 'get', 'cache'], { cwd: root, encoding: 'utf8' }).stdout.trim();
  }

  function expectOk(run: SpawnSyncReturns<string>): string {
    if (run.status !== 0) throw new Error(`exit ${run.status ?? run.signal}:\n${run.stdout}\n${run.stderr}`);
    return run.stdout;
  }

  beforeAll(() => {
    fs.mkdirSync(app);
    fs.mkdirSync(binDir);
    for (const program of ['node', 'npm', 'npx', 'sh']) {
      fs.symlinkSync(program === 'node' ? process.execPath : fs.realpathSync(which(program)), path.join(binDir, program));
    }
    // --ignore-scripts: pack what `npm test` built; prepack (the full release build) is checked elsewhere.
    const packed = spawnSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', tmp], { cwd: root, encoding: 'utf8' });
    pack = (JSON.parse(expectOk(packed)) as PackResult[])[0];
    console.log(
      `npm pack: ${pack.filename}, ${(pack.size / 1e6).toFixed(2)} MB packed, ${(pack.unpackedSize / 1e6).toFixed(2)} MB unpacked, ${pack.files.length} files`,
    );

    // As the README advises: onnxruntime-node's postinstall would download its CUDA provider from NuGet.
    writeConsumerApp(app, root, path.join(tmp, pack.filename), ['typescript', '@types/node'], { 'onnxruntime-node': false });
    // A registry nobody answers on: everything must come from the cache.
    install = inApp(path.join(binDir, 'npm'), ['ci', '--offline', '--no-audit', '--no-fund', '--registry', 'http://127.0.0.1:9/']);
    if (install.status !== 0 && /ENOTCACHED/.test(install.stderr)) {
      throw new Error(`npm's cache lacks a dependency: run \`npm ci\` in ${root} first\n${install.stderr}`);
    }
    expectOk(install);
    fs.writeFileSync(
      path.join(app, 'tiny.onnx'),
      tinySegmentModel({
        size: 64,
        boxes: [{ cx: 32, cy: 32, w: 20, h: 20, score: 0.9, coef: new Array(32).fill(0.1) }],
        protos: new Float32Array(32 * 256).fill(1),
      }),
    );
  }, 600_000);

  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  test('the tarball holds dist/ (CommonJS, ES module, types), the prebuilds and the sources, and no tests', () => {
    const files = pack.files.map((f) => f.path);
    for (const entry of ['dist/index.js', 'dist/index.mjs', 'dist/index.d.ts', 'dist/index.d.mts', 'dist/cli/index.js', 'CMakeLists.txt']) {
      expect(files).toContain(entry);
    }
    // With a binding.gyp at its root, `npm ci` from a lockfile would run `node-gyp rebuild` on install
    // (lockfiles do not record "gypfile": false): the source build is CMakeLists.txt's.
    expect(files).not.toContain('binding.gyp');
    expect(files).toContain(`prebuilds/${host}/${hostAddon}`);
    expect(files.filter((f) => /^(test|scripts|lib|native\/tests|build|build-gpu|build-prebuild|coverage)\//.test(f))).toEqual([]);
    expect(files.filter((f) => f.endsWith('.map') || (f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.endsWith('.d.mts')))).toEqual([]);
    // Each core prebuild is for the CPU its folder names.
    const cpus: Record<string, string> = { x64: 'x86-64', arm64: 'aarch64' };
    const prebuilt = files.filter((f) => /^prebuilds\/[^/]+\/[^/]+\.node$/.test(f));
    for (const file of prebuilt) {
      const arch = file.split('/')[1].split('-')[1];
      expect(`${file}: ${machineOf(path.join(app, 'node_modules/fastsam-node', file)).cpu}`).toBe(`${file}: ${cpus[arch]}`);
    }
    if (fs.existsSync(path.join(root, 'prebuilds/linux-arm64')))
      expect(prebuilt.some((f) => f.startsWith('prebuilds/linux-arm64/'))).toBe(true);
  });

  test('installs offline with no compiler on the PATH, running no install script of ours', () => {
    const tools = inApp(path.join(binDir, 'sh'), [
      '-c',
      'for t in cc gcc g++ c++ clang make python3 node-gyp; do command -v $t; done; true',
    ]);
    expect(tools.stdout.trim()).toBe('');
    // npm 11 runs a dependency's install script unless allowScripts denies it, and lists the unreviewed
    // ones: there are none (ours has none; onnxruntime-node's is denied, so nothing was downloaded).
    expect(`${install.stdout}\n${install.stderr}`).not.toMatch(/install-scripts/);
    expect(fs.readdirSync(path.join(app, 'node_modules/onnxruntime-node/bin/napi-v6/linux/x64')).filter((f) => /cuda/.test(f))).toEqual([]);
    const installed = path.join(app, 'node_modules/fastsam-node');
    expect(fs.existsSync(path.join(installed, 'build'))).toBe(false);
    const manifest = JSON.parse(fs.readFileSync(path.join(installed, 'package.json'), 'utf8')) as {
      scripts?: Record<string, string>;
      gypfile?: boolean;
    };
    expect(Object.keys(manifest.scripts ?? {}).filter((s) => /^(pre|post)?install$/.test(s))).toEqual([]);
    expect(manifest.gypfile).toBe(false); // else npm would run `node-gyp rebuild` for the binding.gyp we ship
  });

  const predictScript = (importLine: string) => `${importLine}
    const model = await FastSAM.load('tiny.onnx');
    const [r] = await model.predict({ data: new Uint8Array(64 * 64 * 3), width: 64, height: 64, channels: 3 });
    const rle = await r.masks.toRLE();
    const addon = require('node-gyp-build').path(require('node:path').dirname(require.resolve('fastsam-node/package.json')));
    console.log(JSON.stringify({ addon, n: r.length, box: Array.from(r.boxes.xyxy), runs: rle[0].counts.length, error: FastSAMError.name }));
    await model.dispose();`;

  function expectPrediction(stdout: string): void {
    const report = JSON.parse(stdout.trim().split('\n').pop()!);
    expect(report.addon).toBe(path.join(app, 'node_modules/fastsam-node/prebuilds', host, hostAddon!));
    expect(report).toMatchObject({ n: 1, box: [22, 22, 42, 42], error: 'FastSAMError' });
    expect(report.runs).toBeGreaterThan(1);
  }

  test("require('fastsam-node') predicts with the prebuilt addon", () => {
    fs.writeFileSync(
      path.join(app, 'predict.cjs'),
      `(async () => {${predictScript("const { FastSAM, FastSAMError } = require('fastsam-node');")}})().catch((e) => { console.error(e); process.exit(1); });`,
    );
    expectPrediction(expectOk(inApp(path.join(binDir, 'node'), ['predict.cjs'])));
  });

  test("import { FastSAM } from 'fastsam-node' predicts, with the same classes as require()", () => {
    fs.writeFileSync(
      path.join(app, 'predict.mjs'),
      `import { createRequire } from 'node:module';
      import fastsam, { FastSAM, FastSAMError } from 'fastsam-node';
      const require = createRequire(import.meta.url);
      if (require('fastsam-node').FastSAM !== FastSAM || fastsam.FastSAMError !== FastSAMError) throw new Error('two copies');
      ${predictScript('')}`,
    );
    expectPrediction(expectOk(inApp(path.join(binDir, 'node'), ['predict.mjs'])));
  });

  test("the subpath entries: 'fastsam-node/serve' loads; 'fastsam-node/queue' asks for its optional peers by name", () => {
    fs.writeFileSync(
      path.join(app, 'entries.cjs'),
      `const { createServer } = require('fastsam-node/serve');
      let queue;
      try { require('fastsam-node/queue'); queue = 'loaded'; } catch (e) { queue = String(e.message); }
      console.log(JSON.stringify({ createServer: typeof createServer, queue }));`,
    );
    const report = JSON.parse(
      expectOk(inApp(path.join(binDir, 'node'), ['entries.cjs']))
        .trim()
        .split('\n')
        .pop()!,
    );
    expect(report.createServer).toBe('function');
    // bullmq and ioredis are optional peers, not installed here: the entry resolves and names what is missing.
    expect(report.queue).toMatch(/bullmq|ioredis/);
  });

  test('npx fastsam info describes the model', () => {
    const out = expectOk(inApp(path.join(binDir, 'npx'), ['--offline', 'fastsam', 'info', 'model=tiny.onnx', '--json']));
    const summary = JSON.parse(out.trim().split('\n').pop()!);
    expect(summary).toMatchObject({ task: 'fastsam', classes: 1, input: [1, 3, 64, 64], backend: 'cpu' });
    expect(summary.gpu).toMatch(/tensorrt backend unavailable/);
  });

  test('tsc type-checks consumers in both module systems against the shipped types', () => {
    const consumer = (importLine: string) => `${importLine}
      export async function count(file: string): Promise<number> {
        const model = await FastSAM.load(file, { backend: 'cpu' });
        const results: Result[] = await model.predict(file, { conf: 0.5 });
        const rles: RLE[] = await results[0].masks.toRLE();
        await model.dispose();
        return results[0].length + rles.length + (isFastSAMError(new Error()) ? 1 : 0);
      }\n`;
    fs.writeFileSync(path.join(app, 'esm.mts'), consumer("import { FastSAM, isFastSAMError, type Result, type RLE } from 'fastsam-node';"));
    fs.writeFileSync(path.join(app, 'cjs.cts'), consumer("import { FastSAM, isFastSAMError, type Result, type RLE } from 'fastsam-node';"));
    const config = (files: string[]) =>
      JSON.stringify({
        compilerOptions: {
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'es2022',
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          types: ['node'],
        },
        files,
      });
    const tsc = path.join(app, 'node_modules/typescript/bin/tsc');
    // One run over good and bad consumers: the types are real, so the one misuse is the only error.
    fs.writeFileSync(
      path.join(app, 'wrong.mts'),
      "import { FastSAM } from 'fastsam-node';\nexport const n: number = FastSAM.load('m.onnx');\n",
    );
    fs.writeFileSync(path.join(app, 'tsconfig.json'), config(['esm.mts', 'cjs.cts', 'wrong.mts']));
    const checked = inApp(path.join(binDir, 'node'), [tsc, '-p', '.']);
    const errors = checked.stdout.split('\n').filter((line) => /error TS\d+/.test(line));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^wrong\.mts\(2,14\): error TS2322/);
  });

  const gpuAddon = path.join('prebuilds', host, 'tensorrt', 'fastsam_tensorrt.node');
  (fs.existsSync(path.join(root, gpuAddon)) ? test : test.skip)(
    'the GPU addon in prebuilds/ loads without a GPU and says what is missing',
    () => {
      fs.writeFileSync(
        path.join(app, 'gpu.cjs'),
        `const { gpuAvailability } = require('fastsam-node');
        const { probe, missing } = gpuAvailability(0, { engine: true });
        console.log(JSON.stringify({ probe, missing }));`,
      );
      const { probe, missing } = JSON.parse(expectOk(inApp(path.join(binDir, 'node'), ['gpu.cjs'])).trim());
      expect(probe.cudaRuntime).toMatch(/^\d+\.\d+$/);
      if (!probe.cudaDriver) expect(missing).toContain('an NVIDIA driver (libcuda.so.1 was not found)');
      expect(missing.join('; ')).toMatch(/TensorRT/);
    },
  );
});
