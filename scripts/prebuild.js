#!/usr/bin/env node
/**
 * Builds the prebuilt binaries that ship in the package, into prebuilds/<platform>-<arch>/:
 *
 *   host         the core addon for this machine (prebuildify: N-API, stripped, glibc/musl-tagged on Linux)
 *   linux-arm64  the core addon cross-compiled on linux-x64 with Debian's g++-aarch64-linux-gnu
 *   gpu          the GPU addon (cmake-js) into prebuilds/<platform>-<arch>/tensorrt/fastsam_tensorrt.node,
 *                with the engine when TensorRT's headers are found, else the CUDA kernels only
 *
 *   node scripts/prebuild.js [targets...]   default: every target this machine can make
 *   node scripts/prebuild.js --pack         what `npm pack` ships (package.json "prepack"): every core
 *                                           target this machine can make, and the GPU addon only when it
 *                                           is built with TensorRT (a kernels-only addon is a test build)
 *   node scripts/prebuild.js --verify a,b   fails unless prebuilds/a, prebuilds/b hold a core addon for
 *                                           exactly that CPU (the release's last check before publishing)
 *
 * Each core build runs node-gyp in its own staging folder under build-prebuild/, so a cross build never
 * overwrites the developer's build/Release. Nothing is downloaded: node-gyp uses this Node's own headers.
 */
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { describeMachine, machineOf } = require('./prebuild-machine');

const root = path.resolve(__dirname, '..');
const host = `${process.platform}-${process.arch}`;
const bin = (name) => path.join(root, 'node_modules', '.bin', process.platform === 'win32' ? `${name}.cmd` : name);
/** What node-gyp compiles: the core addon's sources (binding.gyp lists them). */
const CORE_INPUTS = ['binding.gyp', 'native', 'node_modules', 'package.json'];
const CROSS = {
  'linux-arm64': { from: 'linux-x64', prefix: 'aarch64-linux-gnu-', arch: 'arm64' },
};

function has(program) {
  return !spawnSync(program, ['--version'], { stdio: 'ignore' }).error;
}

/**
 * Build against the headers of the Node that runs us, never downloaded ones, where they are installed
 * (node-gyp reads npm_config_nodedir; prebuildify passes process.env on to it).
 */
const nodeDir = path.resolve(path.dirname(process.execPath), '..');
if (!process.env.npm_config_nodedir && fs.existsSync(path.join(nodeDir, 'include', 'node', 'node_api.h'))) {
  process.env.npm_config_nodedir = nodeDir;
}

/** A folder where node-gyp can work without touching ./build: links to the sources it reads. */
function stagingDir(name) {
  const dir = path.join(root, 'build-prebuild', name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  for (const entry of CORE_INPUTS) {
    const source = path.join(root, entry);
    // Windows links folders as junctions (no privilege needed) and cannot junction a file: it copies those.
    if (process.platform === 'win32' && !fs.statSync(source).isDirectory()) fs.copyFileSync(source, path.join(dir, entry));
    else fs.symlinkSync(source, path.join(dir, entry), process.platform === 'win32' ? 'junction' : undefined);
  }
  return dir;
}

function prebuildify(options) {
  const prebuildifyApi = require('prebuildify');
  return new Promise((resolve, reject) =>
    prebuildifyApi({ napi: true, strip: true, targets: [process.versions.node], out: root, ...options }, (error) =>
      error ? reject(error) : resolve(),
    ),
  );
}

/** The one .node file prebuildify left in prebuilds/<target>/ (older names of it removed first). */
function clearCore(target) {
  const dir = path.join(root, 'prebuilds', target);
  if (!fs.existsSync(dir)) return;
  for (const file of fs.readdirSync(dir)) if (file.endsWith('.node')) fs.rmSync(path.join(dir, file));
}

function coreFile(target) {
  const dir = path.join(root, 'prebuilds', target);
  const file = fs.existsSync(dir) ? fs.readdirSync(dir).find((f) => f.endsWith('.node')) : undefined;
  return file && path.join(dir, file);
}

async function buildHost() {
  console.log(`prebuild: ${host} (core addon)`);
  clearCore(host);
  await prebuildify({
    cwd: stagingDir(host),
    // glibc builds must not be chosen on musl (Alpine): there node-gyp-build then finds no match and
    // the error points at building from source.
    tagLibc: process.platform === 'linux',
  });
  report(host);
}

async function buildCross(target) {
  const { prefix, arch } = CROSS[target];
  console.log(`prebuild: ${target} (core addon, cross-compiled with ${prefix}g++)`);
  clearCore(target);
  // node-gyp's make generator reads CC/CXX/LINK; prebuildify strips with the target's strip.
  const tools = { CC: `${prefix}gcc`, CXX: `${prefix}g++`, LINK: `${prefix}g++`, AR: `${prefix}ar` };
  const saved = Object.fromEntries(Object.keys(tools).map((name) => [name, process.env[name]]));
  Object.assign(process.env, tools); // prebuildify hands process.env to node-gyp
  try {
    await prebuildify({ cwd: stagingDir(target), arch, tagLibc: true, stripBin: `${prefix}strip` });
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
  report(target);
}

function report(target) {
  const file = coreFile(target);
  if (!file) throw new Error(`prebuild: no addon in prebuilds/${target}`);
  console.log(`prebuild: ${path.relative(root, file)}: ${describeMachine(file)}, ${fs.statSync(file).size} bytes`);
}

/** TensorRT's include folder, where CMakeLists.txt will look for it (or null). */
function tensorrtHeaders() {
  const roots = [process.env.TENSORRT_ROOT && path.join(process.env.TENSORRT_ROOT, 'include')];
  const candidates = [
    ...roots,
    '/usr/include/x86_64-linux-gnu',
    '/usr/include/aarch64-linux-gnu',
    '/usr/local/TensorRT/include',
    '/opt/tensorrt/include',
  ];
  return candidates.find((dir) => dir && fs.existsSync(path.join(dir, 'NvInfer.h'))) ?? null;
}

const GPU_DIR = path.join(root, 'prebuilds', host, 'tensorrt');
const GPU_ADDON = path.join(GPU_DIR, 'fastsam_tensorrt.node');

function buildGpu() {
  const headers = tensorrtHeaders();
  console.log(
    `prebuild: ${host}/tensorrt (GPU addon, ${headers ? `TensorRT headers in ${headers}` : 'CUDA kernels only: no TensorRT headers'})`,
  );
  const args = ['compile', '-O', path.join(root, 'build-gpu'), '-T', 'fastsam_tensorrt'];
  if (process.env.FASTSAM_CUDA_ARCHITECTURES) args.push(`--CDCMAKE_CUDA_ARCHITECTURES=${process.env.FASTSAM_CUDA_ARCHITECTURES}`);
  execFileSync(bin('cmake-js'), args, { cwd: root, stdio: 'inherit' });
  fs.mkdirSync(GPU_DIR, { recursive: true });
  fs.copyFileSync(path.join(root, 'build-gpu', 'Release', 'fastsam_tensorrt.node'), GPU_ADDON);
  if (process.platform === 'linux') execFileSync('strip', ['--strip-unneeded', GPU_ADDON]);
  console.log(`prebuild: ${path.relative(root, GPU_ADDON)}: ${describeMachine(GPU_ADDON)}, ${fs.statSync(GPU_ADDON).size} bytes`);
}

/** Whether the GPU addon in prebuilds/ has the TensorRT engine (asked in a child: it links CUDA). */
function gpuAddonHasEngine() {
  const script = `process.stdout.write(String(typeof require(${JSON.stringify(GPU_ADDON)}).createEngine === 'function'))`;
  const run = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  return run.stdout === 'true';
}

/** What this machine can build, and why not for the rest. */
function possibleTargets() {
  const can = { host: true };
  const why = {};
  for (const [target, { from, prefix }] of Object.entries(CROSS)) {
    if (host !== from) why[target] = `cross-compiling it is set up from ${from} only`;
    else if (!has(`${prefix}g++`)) why[target] = `no ${prefix}g++ (apt-get install g++-aarch64-linux-gnu)`;
    else can[target] = true;
  }
  if (!has('nvcc')) why.gpu = 'no CUDA compiler (nvcc) on the PATH';
  else can.gpu = true;
  return { can, why };
}

function verify(list) {
  const expected = {
    x64: 'x86-64',
    arm64: 'aarch64',
  };
  const problems = [];
  for (const target of list) {
    const file = coreFile(target);
    if (!file) {
      problems.push(`prebuilds/${target}: no core addon`);
      continue;
    }
    const machine = machineOf(file);
    const want = expected[target.split('-')[1]];
    if (machine.cpu !== want) problems.push(`${path.relative(root, file)}: ${describeMachine(file)}, expected ${want}`);
    else console.log(`prebuild: ${path.relative(root, file)}: ${describeMachine(file)}`);
  }
  if (problems.length) throw new Error(`prebuild --verify:\n  ${problems.join('\n  ')}`);
}

async function main() {
  const args = process.argv.slice(2);
  const verifyAt = args.indexOf('--verify');
  if (verifyAt >= 0) return verify((args[verifyAt + 1] ?? '').split(',').filter(Boolean));
  const pack = args.includes('--pack');
  const asked = args.filter((a) => !a.startsWith('--'));
  const { can, why } = possibleTargets();
  const targets = (asked.length ? asked : Object.keys(can)).map((t) => (t === host ? 'host' : t));
  for (const target of targets) {
    if (!can[target]) {
      if (asked.length) throw new Error(`prebuild: cannot build ${target} here: ${why[target]}`);
      continue;
    }
    if (target === 'host' || target === host) await buildHost();
    else if (target === 'gpu') {
      if (pack && !tensorrtHeaders()) {
        console.warn('prebuild: not building the GPU addon: no TensorRT headers (a kernels-only addon is a test build, never shipped)');
        continue;
      }
      buildGpu();
    } else await buildCross(target);
  }
  for (const [target, reason] of Object.entries(why)) {
    if (!asked.length) console.warn(`prebuild: not building ${target}: ${reason}`);
  }
  if (pack && fs.existsSync(GPU_ADDON) && !gpuAddonHasEngine()) {
    console.warn(`prebuild: leaving the kernels-only ${path.relative(root, GPU_ADDON)} out of the package (no TensorRT engine in it)`);
    fs.rmSync(GPU_DIR, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error.message ?? error);
  process.exit(1);
});
