/**
 * Jest runs each test file in its own V8 realm, but native addons (onnxruntime-node, ours, sharp) create
 * typed arrays in the host realm, so `instanceof Float32Array` inside the sandbox rejects them
 * (onnxruntime-common: "A float32 tensor's data must be type of Float32Array"). Production code runs in
 * one realm; give the test sandbox the host's typed-array constructors so tests see what users see.
 */
const { TestEnvironment } = require('jest-environment-node');

const SHARED_GLOBALS = [
  'ArrayBuffer',
  'SharedArrayBuffer',
  'DataView',
  'Float32Array',
  'Float64Array',
  'Int8Array',
  'Uint8Array',
  'Uint8ClampedArray',
  'Int16Array',
  'Uint16Array',
  'Int32Array',
  'Uint32Array',
  'BigInt64Array',
  'BigUint64Array',
];

class HostTypedArrayEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of SHARED_GLOBALS) this.global[name] = globalThis[name];
  }
}

module.exports = HostTypedArrayEnvironment;
