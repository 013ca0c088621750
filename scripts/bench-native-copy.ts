// What owning the inputs costs (issue 13's use-after-free fix): every async native call copies the
// caller's typed arrays before going off the JS thread. On a 12 MP photo (4000 x 3000 raw RGB, 36 MB) this
// times the letterbox call: the synchronous part (the JS thread: checks and the copy) and the whole call,
// at imgsz 640 and 4096 (the case), next to a plain 36 MB copy in JS: into a tensor the caller
// allocates per call (the pipeline before the fix; the result is now written back on the JS thread) and
// into a tensor the addon allocates (letterboxBatch, the pipeline now). `--addon <path>` loads another
// build of the addon (e.g. one built from before the fix) to compare. Timings on a busy machine vary a lot.
//
//   npx tsx scripts/bench-native-copy.ts [--runs 7] [--addon build-old/Release/fastsam.node]

import { native, type NativeBinding } from '../lib/native';
import { arg, machineDescription, median } from './bench-utils';

const WIDTH = 4000;
const HEIGHT = 3000;

function addon(): NativeBinding {
  const file = arg('addon');
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a chosen build, by path
  return file ? (require(require('node:path').resolve(file)) as NativeBinding) : native();
}

async function main(): Promise<void> {
  const runs = Number(arg('runs') ?? 7);
  const binding = addon();
  const rgb = new Uint8Array(WIDTH * HEIGHT * 3);
  for (let i = 0; i < rgb.length; i++) rgb[i] = (i * 2654435761) >>> 24;
  console.log(
    `${machineDescription()}\n12 MP raw RGB (${WIDTH} x ${HEIGHT}, ${(rgb.length / 2 ** 20).toFixed(0)} MiB); median of ${runs} runs`,
  );

  const copies: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    rgb.slice();
    copies.push(performance.now() - t0);
  }
  console.log(`  a plain copy of the pixels in JS (Uint8Array.slice):  ${median(copies).toFixed(1)} ms`);

  for (const imgsz of [640, 4096]) {
    const request = { width: WIDTH, height: HEIGHT, newHeight: imgsz, newWidth: imgsz, stride: 32, auto: false, scaleUp: true, offset: 0 };
    const sync: number[] = [];
    const total: number[] = [];
    for (let r = 0; r < runs; r++) {
      const t0 = performance.now();
      // A new tensor per call, as the pipeline allocated one per batch before the fix.
      const pending = binding.letterbox(rgb, request, new Float32Array(3 * imgsz * imgsz));
      sync.push(performance.now() - t0);
      await pending;
      total.push(performance.now() - t0);
    }
    console.log(
      `  letterbox into a JS tensor, ${imgsz}: JS thread ${median(sync).toFixed(1)} ms (checks + input copy), whole call ${median(total).toFixed(1)} ms`,
    );
    if (!binding.letterboxBatch) continue; // a build from before the fix
    sync.length = 0;
    total.length = 0;
    for (let r = 0; r < runs; r++) {
      const t0 = performance.now();
      const pending = binding.letterboxBatch([{ rgb, width: WIDTH, height: HEIGHT }], request);
      sync.push(performance.now() - t0);
      await pending;
      total.push(performance.now() - t0);
    }
    console.log(
      `  letterboxBatch (native tensor), ${imgsz}: JS thread ${median(sync).toFixed(1)} ms (checks + input copy), whole call ${median(total).toFixed(1)} ms`,
    );
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
