/** A frames progress bar for video files on an interactive terminal (cli-progress); nothing otherwise. */
import { SingleBar } from 'cli-progress';

export interface FrameProgress {
  /** One more frame done. */
  update(): void;
  stop(): void;
}

export function frameProgress(label: string, total: number | undefined, enabled: boolean): FrameProgress {
  if (!enabled || !total || total < 2 || !process.stderr.isTTY) return { update: () => undefined, stop: () => undefined };
  const bar = new SingleBar({
    format: `${label} |{bar}| {value}/{total} frames | {rate} frames/s | eta {eta_formatted}`,
    stream: process.stderr,
    hideCursor: true,
  });
  const started = performance.now();
  let done = 0;
  bar.start(total, 0, { rate: '0.0' });
  return {
    update: () => {
      done++;
      bar.update(Math.min(done, total), { rate: (done / ((performance.now() - started) / 1000)).toFixed(1) });
    },
    stop: () => bar.stop(),
  };
}
