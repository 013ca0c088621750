/**
 * Work threads (inference, answer encoding) run at a lower scheduling priority than the JavaScript thread
 * that serves the event loop, so that when both want a core, the event loop gets it first: on a 2-core
 * machine a saturated server still answers its health route in time. Threads a thread creates inherit
 * its priority, so lowering an inference worker before it creates its ONNX Runtime session lowers the
 * session's thread pool too.
 *
 * Linux only: there setpriority() of "this process" (0) applies to the calling thread alone. On macOS and
 * Windows it would lower the whole process, event loop included, so nothing is done there.
 */
import * as os from 'node:os';

/** The default: a nice value 10 above the event loop's (CFS then weighs the event loop about 9 times more). */
export const DEFAULT_NICE = 10;

/**
 * Lowers the calling thread's priority by `nice` (0 to 19), relative to what it inherited, at most to 19.
 * Best effort (a sandbox may forbid it): returns how much it was lowered.
 */
export function lowerThisThread(nice: number): number {
  if (process.platform !== 'linux' || nice <= 0) return 0;
  try {
    const current = os.getPriority(0);
    const target = Math.min(19, current + nice);
    os.setPriority(0, target);
    return target - current;
  } catch {
    return 0;
  }
}
