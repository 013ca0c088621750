/**
 * GPU tests run only with FASTSAM_TEST_GPU=1 (on a machine with an NVIDIA GPU and the GPU addon built:
 * `npm run build:gpu`). Asked for but impossible, they fail saying what is missing rather than skip.
 */
import type { GpuBinding } from '../../lib/backends/tensorrt/binding';
import { requireGpu } from '../../lib/backends/tensorrt/load';

export const GPU_TESTS = process.env.FASTSAM_TEST_GPU === '1';

export function describeGpu(name: string, body: (gpu: () => GpuBinding) => void): void {
  if (!GPU_TESTS) {
    describe.skip(`${name} (skipped: set FASTSAM_TEST_GPU=1 on a GPU machine)`, () => {
      test('needs FASTSAM_TEST_GPU=1', () => undefined);
    });
    return;
  }
  describe(name, () => body(() => requireGpu(0, { engine: false }).binding));
}
