#!/usr/bin/env node
/**
 * The release's check of the prebuilt GPU addon (prebuilds/<platform>-<arch>/tensorrt/fastsam_tensorrt.node),
 * run where it was built (release.yml, job "gpu", in NVIDIA's TensorRT container, no GPU needed):
 *   - it carries the TensorRT engine (at least one major), and links no CUDA or TensorRT library;
 *   - on this machine, which has TensorRT installed, it finds TensorRT at run time (probe().tensorrt).
 *
 *   node scripts/prebuild-check-gpu.js [--majors 10,11]   fails unless the addon was built for these majors
 */
const { execFileSync } = require('node:child_process');
const path = require('node:path');

const addon = path.resolve(__dirname, '..', 'prebuilds', `${process.platform}-${process.arch}`, 'tensorrt', 'fastsam_tensorrt.node');
const at = process.argv.indexOf('--majors');
const majors = at >= 0 ? process.argv[at + 1].split(',') : [];
const problems = [];

const dynamic = execFileSync('readelf', ['-d', '--wide', addon], { encoding: 'utf8' });
const needed = [...dynamic.matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1]);
const linked = needed.filter((lib) => /cuda|nvinfer|nvonnxparser/i.test(lib));
if (linked.length) problems.push(`links ${linked.join(', ')}: it must open TensorRT at run time and carry the CUDA runtime`);
const undefinedSymbols = execFileSync('nm', ['-D', '--undefined-only', addon], { encoding: 'utf8' });
const trtSymbols = undefinedSymbols.split('\n').filter((line) => /nvinfer|nvonnx|_INTERNAL|getInferLib/.test(line));
if (trtSymbols.length) problems.push(`needs TensorRT symbols at load time: ${trtSymbols.join('; ')}`);

const probe = require(addon).probe();
console.log(`prebuild-check-gpu: ${addon}\n  links ${needed.join(', ')}\n  probe ${JSON.stringify(probe)}`);
if (probe.tensorrtBuiltFor.length === 0) problems.push('built without the TensorRT engine (no TensorRT headers found)');
for (const major of majors) {
  if (!probe.tensorrtBuiltFor.some((v) => v.split('.')[0] === major)) problems.push(`not built for TensorRT ${major}`);
}
if (!probe.tensorrt) problems.push(`does not find the TensorRT installed here: ${probe.tensorrtError}`);

if (problems.length) {
  console.error(`prebuild-check-gpu:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
