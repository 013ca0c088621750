/**
 * The linux-arm64 prebuild (cross-compiled on linux-x64) proved to work, not just to link: Debian's
 * arm64 Node runs it under qemu-user on the golden raw outputs (detect, masks as RLE and as crops) and a
 * letterbox, and every number must equal what the x86-64 prebuild computes from the same inputs, byte for
 * byte (core-runner.js prints both). The golden parity of the x86-64 build itself is
 * test/golden/postprocess-parity.test.ts; here, equal to it means equal to the reference too.
 *
 * Needs qemu-aarch64 and an arm64 sysroot with Debian's Node (scripts/prebuild-sysroot.sh, which .ci/run
 * calls): $FASTSAM_ARM64_SYSROOT, else ~/.cache/fastsam-node-dev/arm64-sysroot. Skips, saying what is
 * missing, without them.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describeWithShared, readGzipJson, readNpyFloat32, sharedPath } from '../helpers/shared';

const root = path.resolve(__dirname, '../..');
const sysroot = path.resolve(process.env.FASTSAM_ARM64_SYSROOT ?? path.join(os.homedir(), '.cache/fastsam-node-dev/arm64-sysroot'));
const armNode = path.join(sysroot, 'usr/bin/node');

function coreAddon(target: string): string | undefined {
  const dir = path.join(root, 'prebuilds', target);
  const file = fs.existsSync(dir) ? fs.readdirSync(dir).find((f) => f.endsWith('.node')) : undefined;
  return file && path.join(dir, file);
}

const arm64Addon = coreAddon('linux-arm64');
const x64Addon = coreAddon('linux-x64');
const missing = [
  process.platform === 'linux' && process.arch === 'x64' ? '' : 'a linux-x64 host (the comparison runs the x86-64 prebuild)',
  spawnSync('qemu-aarch64', ['--version']).status === 0 ? '' : 'qemu-aarch64 (apt-get install qemu-user)',
  fs.existsSync(armNode) ? '' : `Debian's arm64 Node in ${sysroot} (scripts/prebuild-sysroot.sh)`,
  arm64Addon ? '' : 'prebuilds/linux-arm64 (node scripts/ensure-built.js, with g++-aarch64-linux-gnu installed)',
  x64Addon ? '' : 'prebuilds/linux-x64',
].filter(Boolean);

interface Golden {
  conf: number;
  iou: number;
  max_det?: number;
  retina?: boolean;
  orig_shape: [number, number];
  input_shape: number[];
  boxes?: number[][];
}

/** The runner's job for one golden case, with the same requests lib/pipeline/postprocess.ts makes. */
function job(dir: string, name: string, retina: boolean) {
  const golden = readGzipJson<Golden>(sharedPath('golden', dir, `${name}.json.gz`));
  const output0 = sharedPath('golden', dir, `${name}.output0.npy`);
  const output1 = sharedPath('golden', dir, `${name}.output1.npy`);
  const [, rows, anchors] = readNpyFloat32(output0).dims;
  const [, nm, protoHeight, protoWidth] = readNpyFloat32(output1).dims;
  const [inputHeight, inputWidth] = golden.input_shape.slice(-2);
  const [origHeight, origWidth] = golden.orig_shape;
  const nc = rows - 4 - nm;
  return {
    name: `${dir}/${name}${dir.startsWith('yolo') ? `-${retina ? 'retina' : 'letterbox'}` : ''}`,
    output0,
    output1,
    detect: {
      rows,
      anchors,
      nc,
      conf: golden.conf,
      iou: golden.iou,
      agnostic: false,
      maxDet: golden.max_det ?? 300,
      fullImageBox: nc === 1,
      inputHeight,
      inputWidth,
      origHeight,
      origWidth,
    },
    render: {
      nm,
      protoHeight,
      protoWidth,
      mode: retina ? 'native' : 'letterbox',
      inputHeight,
      inputWidth,
      maskHeight: retina ? origHeight : inputHeight,
      maskWidth: retina ? origWidth : inputWidth,
    },
  };
}

type Report = { node: string; arch: string; napi: string; letterbox: unknown; cases: Record<string, { detections: number }> };

if (missing.length > 0) {
  console.warn(`skipping the arm64 prebuild check under qemu: needs ${missing.join('; ')}`);
  describe.skip(`linux-arm64 prebuild under qemu (skipped: needs ${missing.join('; ')})`, () => {
    test('needs qemu and the arm64 sysroot', () => undefined);
  });
} else {
  describeWithShared('golden/fastsam-s-random/index.json', 'linux-arm64 prebuild under qemu', () => {
    test('computes exactly what the x86-64 prebuild computes on the golden outputs', () => {
      const cases = [
        job('fastsam-s-random', 'dogs-640-retina', true),
        job('fastsam-s-random', 'dogs-640-letterbox', false),
        job('fastsam-s-random', 'bus-640-retina', true),
        job('yolov8n-seg-int8', 'bus-320', false),
        job('yolov8n-seg-int8', 'zidane-320', true),
      ];
      const work = fs.mkdtempSync(path.join(os.tmpdir(), 'fastsam-qemu-'));
      try {
        const jobFile = path.join(work, 'job.json');
        fs.writeFileSync(jobFile, JSON.stringify({ cases }));
        const runner = path.join(__dirname, 'core-runner.js');
        const run = (command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Report => {
          const result = spawnSync(command, args, { encoding: 'utf8', env, timeout: 280_000, maxBuffer: 1 << 26 });
          if (result.status !== 0) throw new Error(`${command} exited with ${result.status ?? result.signal}:\n${result.stderr}`);
          return JSON.parse(result.stdout.trim().split('\n').pop()!) as Report;
        };
        const x64 = run(process.execPath, [runner, x64Addon!, jobFile]);
        const arm64 = run('qemu-aarch64', [armNode, runner, arm64Addon!, jobFile], { ...process.env, QEMU_LD_PREFIX: sysroot });
        console.log(`linux-arm64 prebuild checked with Debian's arm64 Node ${arm64.node} (N-API ${arm64.napi}) under qemu-user`);
        expect(arm64.arch).toBe('arm64');
        expect(x64.arch).toBe('x64');
        // The runner reproduces the golden detections (so the comparison is over real work)...
        const golden = readGzipJson<Golden>(sharedPath('golden/fastsam-s-random/bus-640-retina.json.gz'));
        expect(x64.cases['fastsam-s-random/bus-640-retina'].detections).toBe(golden.boxes!.length);
        expect(x64.cases['fastsam-s-random/bus-640-retina'].detections).toBeGreaterThan(100);
        // ...and the aarch64 build computes the very same bytes.
        expect(arm64.cases).toEqual(x64.cases);
        expect(arm64.letterbox).toEqual(x64.letterbox);
      } finally {
        fs.rmSync(work, { recursive: true, force: true });
      }
    }, 300_000);
  });
}
