/**
 * The child side of harness.ts: loads a case module, runs one export, and reports how it ended over IPC.
 * It never calls process.exit: the process must end on its own once the case is done, so a handle or a
 * thread the case left behind shows up as a hang in the parent.
 */
import { readFileSync } from 'node:fs';
import { FastSAMError } from '../../lib/errors';

const [modulePath, name, argsJson] = process.argv.slice(2);

/**
 * This process's own peak RSS: VmHWM belongs to the address space, which exec replaces. (getrusage's
 * maxRSS survives execve, so a child forked by a large jest worker would report the worker's peak.)
 */
function peakRssMiB(): number {
  const match = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
  return match ? Number(match[1]) / 1024 : process.resourceUsage().maxRSS / 1024;
}

function summarise(value: unknown): unknown {
  if (value === undefined) return null;
  try {
    const json = JSON.stringify(value, (_, v: unknown) =>
      typeof v === 'bigint' ? String(v) : ArrayBuffer.isView(v) ? `<${v.byteLength} bytes>` : v,
    );
    return json === undefined ? String(value) : JSON.parse(json.length > 10_000 ? JSON.stringify(json.slice(0, 10_000)) : json);
  } catch {
    return String(value);
  }
}

async function main(): Promise<void> {
  const module = (await import(modulePath)) as Record<string, unknown>;
  const fn = module[name] ?? (module.default as Record<string, unknown> | undefined)?.[name];
  if (typeof fn !== 'function') throw new Error(`no case '${name}' in ${modulePath}`);
  const args = JSON.parse(argsJson) as unknown[];
  const started = performance.now();
  let report: Record<string, unknown>;
  try {
    const value = await (fn as (...a: unknown[]) => unknown)(...args);
    report = { ok: true, value: summarise(value) };
  } catch (error) {
    // Checked by name and code as well: errors may come from another copy of lib/ (dist/, a worker).
    if (error instanceof FastSAMError || (error as { name?: string })?.name === 'FastSAMError') {
      report = { ok: false, code: (error as FastSAMError).code, message: (error as Error).message };
    } else {
      report = { ok: false, errorName: (error as Error)?.name ?? typeof error, message: String((error as Error)?.message ?? error) };
    }
  }
  report.ms = performance.now() - started;
  report.rssMiB = peakRssMiB();
  process.send?.(report, () => process.disconnect());
}

main().catch((error: unknown) => {
  process.send?.({ ok: false, errorName: 'HarnessError', message: String(error), ms: 0, rssMiB: peakRssMiB() }, () => process.disconnect());
});
