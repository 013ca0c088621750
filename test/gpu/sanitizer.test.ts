/**
 * The CUDA kernels under compute-sanitizer (memcheck with leak check, racecheck, initcheck), driven by
 * scripts/gpu-kernel-workout.js: out-of-bounds or uninitialised reads would not always change a result,
 * so they are checked here. GPU machines only (FASTSAM_TEST_GPU=1); skips, saying so, without
 * compute-sanitizer or where the driver refuses it.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { gpuAddon } from '../../lib/backends/tensorrt/load';
import { describeGpu } from '../helpers/gpu';

const ROOT = path.resolve(__dirname, '../..');
const hasSanitizer = !spawnSync('compute-sanitizer', ['--version'], { stdio: 'ignore' }).error;

describeGpu('CUDA kernels under compute-sanitizer', () => {
  const tools = [['memcheck', '--leak-check', 'full'], ['racecheck'], ['initcheck']];
  (hasSanitizer ? test.each(tools) : test.skip.each(tools))(
    '%s finds nothing',
    (tool, ...flags) => {
      const addon = gpuAddon();
      if (!('path' in addon)) throw new Error(addon.missing.join('; '));
      const run = spawnSync(
        'compute-sanitizer',
        [
          '--tool',
          tool,
          ...flags,
          '--print-limit',
          '20',
          '--error-exitcode',
          '9',
          process.execPath,
          path.join(ROOT, 'scripts/gpu-kernel-workout.js'),
          addon.path,
        ],
        { encoding: 'utf8', timeout: 280_000 },
      );
      const output = `${run.stdout}${run.stderr}`;
      if (/Device not supported|LibraryNotLoaded/.test(output)) {
        console.warn(`compute-sanitizer cannot watch this GPU here: ${output.slice(0, 300)}`);
        return;
      }
      expect(output).toContain('gpu kernel workout done');
      // memcheck and initcheck end with 'ERROR SUMMARY: 0 errors', racecheck with '... (0 errors, 0 warnings)'.
      expect(output).toMatch(/ERROR SUMMARY: 0 errors|RACECHECK SUMMARY: 0 hazards displayed \(0 errors, 0 warnings\)/);
      expect(run.status).toBe(0);
    },
    300_000,
  );
  if (!hasSanitizer) console.warn('skipping the compute-sanitizer checks: compute-sanitizer is not on PATH');
});
