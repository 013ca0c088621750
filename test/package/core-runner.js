'use strict';
/**
 * Runs one build of the core addon on fixed inputs and prints what it computed, so that two builds (the
 * x86-64 prebuild natively, the aarch64 one under qemu) can be compared byte for byte. Plain CommonJS for
 * any Node >= 18 (Debian's arm64 Node): no TypeScript, no dependencies.
 *
 *   node core-runner.js ADDON JOB.json   JOB: { cases: [{ name, output0, output1, detect, render }] }
 *
 * Per golden case: detect() on the raw outputs, then renderMasks() as COCO RLE and as cropped bytes; and
 * the letterbox of a deterministic image. Small arrays are printed whole (base64 of their bytes), large
 * ones as SHA-256.
 */
const { Buffer } = require('node:buffer');
const crypto = require('node:crypto');
const fs = require('node:fs');

const [addonPath, jobFile] = process.argv.slice(2);
const addon = require(addonPath);

/** A little-endian float32 C-order .npy file. */
function readNpy(file) {
  const bytes = fs.readFileSync(file);
  const headerLength = bytes[6] === 1 ? bytes.readUInt16LE(8) : bytes.readUInt32LE(8);
  const start = (bytes[6] === 1 ? 10 : 12) + headerLength;
  const copy = new Uint8Array(bytes.subarray(start));
  return new Float32Array(copy.buffer, 0, copy.byteLength / 4);
}

const bytesOf = (typed) => Buffer.from(typed.buffer, typed.byteOffset, typed.byteLength);
const whole = (typed) => bytesOf(typed).toString('base64');
const digest = (typed) => crypto.createHash('sha256').update(bytesOf(typed)).digest('hex');

async function runCase(job) {
  const output1 = readNpy(job.output1);
  const d = await addon.detect(readNpy(job.output0), job.detect);
  const cropBoxes = job.render.mode === 'native' ? d.boxes : d.inputBoxes;
  const rles = await addon.renderMasks(output1, d.coef, cropBoxes, { ...job.render, format: 'rle' });
  const crops = await addon.renderMasks(output1, d.coef, cropBoxes, { ...job.render, format: 'crop' });
  return {
    detections: d.conf.length,
    boxes: whole(d.boxes),
    inputBoxes: whole(d.inputBoxes),
    conf: whole(d.conf),
    cls: whole(d.cls),
    coef: digest(d.coef),
    rleOffsets: digest(rles.offsets),
    rleCounts: digest(rles.counts),
    cropWindows: digest(crops.windows),
    cropBits: digest(crops.bits),
  };
}

async function letterboxCase() {
  const width = 1080;
  const height = 810;
  const rgb = new Uint8Array(width * height * 3);
  let state = 12345;
  for (let i = 0; i < rgb.length; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    rgb[i] = state >>> 24;
  }
  const tensor = new Float32Array(3 * 640 * 640);
  const request = { width, height, newHeight: 640, newWidth: 640, stride: 32, auto: false, scaleUp: true, offset: 0 };
  const geometry = await addon.letterbox(rgb, request, tensor);
  return { geometry, tensor: digest(tensor) };
}

async function main() {
  const job = JSON.parse(fs.readFileSync(jobFile, 'utf8'));
  const cases = {};
  for (const c of job.cases) cases[c.name] = await runCase(c);
  const report = { node: process.version, arch: process.arch, napi: process.versions.napi, letterbox: await letterboxCase(), cases };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

main().catch((error) => {
  console.error(error && error.stack ? error.stack : error);
  process.exit(1);
});
