#!/usr/bin/env node
/**
 * Builds what `npm test` needs, only when stale: the native addon (node-gyp), the TypeScript (tsc), the
 * web demo (esbuild), and the prebuilt binary in prebuilds/ (prebuildify) that the packaging test installs from. Nothing here
 * downloads: node-gyp uses the local Node headers.
 */
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);

function newestMtime(entries) {
  let newest = 0;
  for (const entry of entries) {
    const full = path.join(root, entry);
    if (!fs.existsSync(full)) continue;
    const stat = fs.statSync(full);
    if (stat.isDirectory()) {
      newest = Math.max(newest, newestMtime(fs.readdirSync(full).map((child) => path.join(entry, child))));
    } else {
      newest = Math.max(newest, stat.mtimeMs);
    }
  }
  return newest;
}

function isStale(target, sources) {
  const full = path.join(root, target);
  return !fs.existsSync(full) || fs.statSync(full).mtimeMs < newestMtime(sources);
}

// Build against the headers of the Node that runs us (never download them): node-gyp reads
// npm_config_nodedir, which npm sets from .npmrc but a plain `node` invocation does not.
const nodeDir = path.resolve(path.dirname(process.execPath), '..');
const env = { ...process.env };
if (!env.npm_config_nodedir && fs.existsSync(path.join(nodeDir, 'include', 'node', 'node_api.h'))) {
  env.npm_config_nodedir = nodeDir;
}

function run(command, args) {
  console.log(`> ${path.basename(command)} ${args.join(' ')}`);
  execFileSync(command, args, { cwd: root, stdio: 'inherit', env });
}

const nativeSources = ['native/core', 'native/binding', 'binding.gyp'];

if (isStale('build/Release/fastsam.node', nativeSources)) run(bin('node-gyp'), ['rebuild']);
if (isStale('dist/index.js', ['lib', 'tsconfig.json'])) run(bin('tsc'), ['-p', 'tsconfig.json']);
// The web demo's bundle (dist/web), which `fastsam serve` serves at /.
run(process.execPath, [path.join(__dirname, 'build-web.js'), '--if-stale']);

const prebuildDir = `prebuilds/${process.platform}-${process.arch}`;
const prebuilt = fs.existsSync(path.join(root, prebuildDir))
  ? fs.readdirSync(path.join(root, prebuildDir)).find((f) => f.endsWith('.node'))
  : undefined;
if (!prebuilt || isStale(path.join(prebuildDir, prebuilt), nativeSources)) {
  run(bin('prebuildify'), ['--napi', '--strip']); // also leaves a fresh build/Release from the same binding.gyp
}

// GPU test runs (FASTSAM_TEST_GPU=1, on a machine with nvcc) also need the GPU addon: cmake-js into
// build-gpu/, which node-gyp and prebuildify leave alone.
const gpuSources = ['native/core', 'native/cuda', 'native/tensorrt', 'native/binding', 'CMakeLists.txt'];
if (
  process.env.FASTSAM_TEST_GPU === '1' &&
  !process.env.FASTSAM_GPU_ADDON &&
  isStale('build-gpu/Release/fastsam_tensorrt.node', gpuSources)
) {
  run(bin('cmake-js'), ['compile', '-O', 'build-gpu']);
}
