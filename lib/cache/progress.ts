/** A one-line download progress bar on stderr, redrawn in place (only when stderr is a terminal). */
import type { DownloadProgress } from './download';

const WIDTH = 24;
const REDRAW_MS = 100;

const mb = (bytes: number): string => (bytes / 1e6).toFixed(1);

export function formatProgress(p: DownloadProgress): string {
  const speed = `${mb(p.bytesPerSecond)} MB/s`;
  if (p.total === undefined || p.total <= 0) return `Downloading ${p.name}: ${mb(p.received)} MB ${speed}`;
  const fraction = Math.min(1, p.received / p.total);
  const filled = Math.round(fraction * WIDTH);
  const bar = '#'.repeat(filled) + '-'.repeat(WIDTH - filled);
  return `Downloading ${p.name} ${String(Math.floor(fraction * 100)).padStart(3)}% [${bar}] ${mb(p.received)}/${mb(p.total)} MB ${speed}`;
}

/** A progress callback drawing on `stream`; throttled, finished with a newline. */
export function progressBar(stream: NodeJS.WriteStream = process.stderr): (p: DownloadProgress) => void {
  let last = 0;
  return (p) => {
    const now = performance.now();
    if (!p.done && now - last < REDRAW_MS) return;
    last = now;
    stream.write(`\r${formatProgress(p)}\x1b[K${p.done ? '\n' : ''}`);
  };
}
