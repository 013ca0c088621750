/** A progress bar with images/s on an interactive terminal (cli-progress); nothing otherwise. */
import { SingleBar } from 'cli-progress';

export interface Progress {
  tick(): void;
  stop(): void;
}

export function progressBar(total: number, enabled: boolean, label = 'predict'): Progress {
  if (!enabled || total < 2 || !process.stderr.isTTY) return { tick: () => undefined, stop: () => undefined };
  const bar = new SingleBar({
    format: `${label} |{bar}| {value}/{total} images | {rate} img/s | eta {eta_formatted}`,
    stream: process.stderr,
    hideCursor: true,
  });
  const started = performance.now();
  bar.start(total, 0, { rate: '0.0' });
  let done = 0;
  return {
    tick: () => {
      done++;
      bar.update(done, { rate: (done / ((performance.now() - started) / 1000)).toFixed(1) });
    },
    stop: () => bar.stop(),
  };
}
