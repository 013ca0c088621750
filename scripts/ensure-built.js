#!/usr/bin/env node
/**
 * Builds what `npm test` needs, only when stale: the TypeScript (tsc + the ES module entry) and the
 * prebuilt binaries that the tests load and the packaging tests install (scripts/prebuild.js): this
 * machine's core addon, the linux-arm64 one where the cross compiler is installed, and the GPU addon
 * where nvcc is; and the web demo's bundle (esbuild). A developer's own build/Release (`npm run build:native`) is rebuilt too when it exists,
 * because node-gyp-build prefers it to prebuilds/. Nothing here downloads.
 */
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const host = `${process.platform}-${process.arch}`;

function newestMtime(entries, skip = []) {
  let newest = 0;
  for (const entry of entries) {
    const full = path.join(root, entry);
    if (!fs.existsSync(full) || skip.includes(entry)) continue;
    const stat = fs.statSync(full);
    if (stat.isDirectory()) {
      newest = Math.max(
        newest,
        newestMtime(
          fs.readdirSync(full).map((child) => path.join(entry, child)),
          skip,
        ),
      );
    } else {
      newest = Math.max(newest, stat.mtimeMs);
    }
  }
  return newest;
}

/** Stale when a target is missing or older than any source (folders in `skip` aside). */
function isStale(targets, sources, skip = []) {
  const newest = newestMtime(sources, skip);
  return targets.some((target) => {
    const full = path.join(root, target);
    return !fs.existsSync(full) || fs.statSync(full).mtimeMs < newest;
  });
}

function run(command, args) {
  console.log(`> ${path.basename(command)} ${args.join(' ')}`);
  execFileSync(command, args, { cwd: root, stdio: 'inherit' });
}

const has = (program) => !spawnSync(program, ['--version'], { stdio: 'ignore' }).error;
/** The core addon prebuildify left in prebuilds/<target>/, relative to the root (or a name that does not exist). */
function coreAddon(target) {
  const dir = path.join(root, 'prebuilds', target);
  const file = fs.existsSync(dir) ? fs.readdirSync(dir).find((f) => f.endsWith('.node')) : undefined;
  return path.join('prebuilds', target, file ?? 'missing.node');
}

const coreSources = ['native/core', 'native/binding', 'binding.gyp', 'scripts/prebuild.js'];
const notCore = [path.join('native', 'binding', 'gpu')]; // the GPU addon's binding: not in binding.gyp
const gpuSources = ['native/core', 'native/cuda', 'native/tensorrt', 'native/binding', 'CMakeLists.txt', 'scripts/prebuild.js'];

if (isStale(['dist/index.js', 'dist/index.mjs'], ['lib', 'tsconfig.json', 'scripts/build-esm.js'])) {
  run(bin('tsc'), ['-p', 'tsconfig.json']);
  run(process.execPath, ['scripts/build-esm.js']);
}
// The web demo's bundle (dist/web), which `fastsam serve` serves at /.
run(process.execPath, [path.join(__dirname, 'build-web.js'), '--if-stale']);
if (fs.existsSync(path.join(root, 'build/Release/fastsam.node')) && isStale(['build/Release/fastsam.node'], coreSources, notCore)) {
  run(bin('node-gyp'), ['rebuild']);
}

const prebuilds = [];
if (isStale([coreAddon(host)], coreSources, notCore)) prebuilds.push('host');
if (host === 'linux-x64' && has('aarch64-linux-gnu-g++') && isStale([coreAddon('linux-arm64')], coreSources, notCore)) {
  prebuilds.push('linux-arm64');
}
// The GPU addon (CUDA kernels, plus the engine where TensorRT's headers are found); tests load it from
// prebuilds/ unless FASTSAM_GPU_ADDON points elsewhere.
const gpuAddon = path.join('prebuilds', host, 'tensorrt', 'fastsam_tensorrt.node');
if (has('nvcc') && !process.env.FASTSAM_GPU_ADDON && isStale([gpuAddon], gpuSources)) prebuilds.push('gpu');
if (prebuilds.length) run(process.execPath, ['scripts/prebuild.js', ...prebuilds]);
