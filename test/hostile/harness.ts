/**
 * Runs one hostile case in a child process with a 1 GiB heap and reports how it ended, so a case that
 * crashes, hangs or exhausts memory fails its test instead of taking jest down with it.
 *
 *   const outcome = await runCase('checkpoint', 'tupleKeyBomb');
 *   expectTypedEnd(outcome, 'E_MODEL_FORMAT');
 *
 * A case is an exported async function of test/hostile/cases/<area>.ts: it builds its hostile input with
 * our own writers (scripts/fixtures/) and calls the public code with it. What it returns is the "correct
 * answer" (summarised as JSON); what it throws is the ending reported (a FastSAMError's code, or the name
 * of anything else). The child is watched from outside: its peak RSS is read from /proc while it runs,
 * it is killed past a wall-clock or RSS limit, and it must exit on its own (a pinned libuv thread or a
 * forgotten handle shows up as a timeout, not as a pass).
 */
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

export interface Outcome {
  /** The FastSAMError code the case ended with; undefined when it returned or threw something untyped. */
  code?: string;
  /** The error's name when it was not a FastSAMError ('TypeError', 'RangeError', ...). */
  errorName?: string;
  message?: string;
  /** What the case returned (JSON), when it returned. */
  value?: unknown;
  /** Peak resident memory of the child (MiB), from its own count or, when it died, the last /proc sample. */
  rssMiB: number;
  /** How long the case itself ran (ms), module loading excluded; wall time when it never reported. */
  ms: number;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** Killed by the harness: 'time' or 'memory'. */
  killed?: 'time' | 'memory';
  /** The child's stderr (last 4 KB), for diagnosing a crash. */
  stderr: string;
}

export interface RunOptions {
  /** V8 heap limit of the child (MiB). Default 1024, as the issue asks. */
  heapMiB?: number;
  /** Kill the child after this long (ms). Default 60 s: generous, module loading on a shared machine included. */
  timeoutMs?: number;
  /** Kill the child when its RSS passes this (MiB). Default 1536 (1.5 GiB). */
  maxRssMiB?: number;
  /** Extra environment for the child. */
  env?: Record<string, string>;
}

/** What a case may take at most, for `expectTypedEnd`: "within a few seconds and well under 1.5 GiB RSS". */
export const BUDGET = { ms: 5000, rssMiB: 1024 };

const CHILD = path.join(__dirname, 'child.ts');
const SAMPLE_MS = 25;

function rssOf(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmHWM:\s+(\d+) kB/m.exec(status) ?? /^VmRSS:\s+(\d+) kB/m.exec(status);
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

interface Report {
  ok: boolean;
  code?: string;
  errorName?: string;
  message?: string;
  value?: unknown;
  ms: number;
  rssMiB: number;
}

/** Runs `cases/<area>.ts`'s export `name` with `args` in a child process. */
export function runCase(area: string, name: string, args: unknown[] = [], options: RunOptions = {}): Promise<Outcome> {
  const heap = options.heapMiB ?? 1024;
  const timeoutMs = options.timeoutMs ?? 60_000;
  const maxRss = options.maxRssMiB ?? 1536;
  const started = performance.now();
  const child = fork(CHILD, [path.join(__dirname, 'cases', `${area}.ts`), name, JSON.stringify(args)], {
    execArgv: [`--max-old-space-size=${heap}`, '--import', 'tsx'],
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4096);
  });
  let report: Report | undefined;
  let killed: Outcome['killed'];
  let peak = 0;
  child.on('message', (message) => {
    report = message as Report;
  });
  const watch = setInterval(() => {
    const rss = child.pid === undefined ? undefined : rssOf(child.pid);
    if (rss !== undefined) peak = Math.max(peak, rss);
    if (peak > maxRss && !killed) {
      killed = 'memory';
      child.kill('SIGKILL');
    }
  }, SAMPLE_MS);
  const timer = setTimeout(() => {
    killed = 'time';
    child.kill('SIGKILL');
  }, timeoutMs);
  return new Promise((resolve) => {
    child.on('exit', (exitCode, signal) => {
      clearInterval(watch);
      clearTimeout(timer);
      const wall = performance.now() - started;
      resolve({
        code: report?.code,
        errorName: report?.errorName,
        message: report?.message,
        value: report?.value,
        rssMiB: Math.max(peak, report?.rssMiB ?? 0),
        ms: report?.ms ?? wall,
        exitCode,
        signal,
        killed,
        stderr,
      });
    });
  });
}

/** A short line describing an outcome, for test failure messages. */
export function describeOutcome(o: Outcome): string {
  const end = o.code ?? (o.errorName ? `untyped ${o.errorName}` : o.value !== undefined ? 'a value' : 'no report');
  const exit = o.signal ? `signal ${o.signal}` : `exit ${o.exitCode}`;
  return `${end} in ${Math.round(o.ms)} ms, ${Math.round(o.rssMiB)} MiB RSS, ${exit}${o.killed ? `, killed (${o.killed})` : ''}: ${o.message ?? ''}\n${o.stderr}`;
}

/** The case ended with `code` (and a message matching `message`), within budget, and the child exited normally. */
export function expectTypedEnd(o: Outcome, code: string, message?: RegExp, budget = BUDGET): void {
  const shown = describeOutcome(o);
  expect({ code: o.code, exit: o.exitCode, signal: o.signal, killed: o.killed, shown }).toEqual({
    code,
    exit: 0,
    signal: null,
    killed: undefined,
    shown,
  });
  if (message) expect(o.message).toMatch(message);
  expect({ ms: o.ms <= budget.ms, rss: o.rssMiB <= budget.rssMiB, shown }).toEqual({ ms: true, rss: true, shown });
}

/** The case returned a value (a correct answer), within budget, and the child exited normally. */
export function expectAnswer(o: Outcome, budget = BUDGET): unknown {
  const shown = describeOutcome(o);
  expect({ returned: o.value !== undefined && o.code === undefined && o.errorName === undefined, exit: o.exitCode, shown }).toEqual({
    returned: true,
    exit: 0,
    shown,
  });
  expect({ ms: o.ms <= budget.ms, rss: o.rssMiB <= budget.rssMiB, shown }).toEqual({ ms: true, rss: true, shown });
  return o.value;
}
