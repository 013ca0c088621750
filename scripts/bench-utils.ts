/** What the benchmark scripts share: `--name value` arguments, the median of repeated timings, the machine. */
import * as os from 'node:os';
import * as ort from 'onnxruntime-node';

export function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The machine a benchmark ran on, for the README line beside its numbers. */
export function machineDescription(threads?: number): string {
  const cpu = os.cpus()[0]?.model.trim() ?? 'unknown CPU';
  return `${cpu}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.platform()} ${os.arch()}, Node ${process.version}, onnxruntime-node ${ort.env.versions.common} (CPU EP, ${threads ?? 'default'} threads)`;
}
