/**
 * npm run fuzz [-- --seed N --seconds S --target NAME --only I --out report.json]
 *
 * Seeded, time-boxed mutational fuzzing of what fastsam-node reads from users: checkpoints, ONNX files,
 * images and option objects (scripts/fuzz/targets.ts). Each target runs in child processes with a 1 GiB
 * heap; a child that dies (signal, abort, out of memory) or runs one case past 10 s is a crash, one that
 * passes 1.5 GiB RSS is killed and counted apart ('over memory'), each recorded with its case number, and
 * fuzzing goes on from the next case. Prints cases tried, how they ended, crashes (zero expected), memory
 * kills and untyped errors (every error should be a FastSAMError), with
 * the seed, time box and machine, so any case can be replayed: --target NAME --only I --seed N.
 * Not part of npm test.
 */
import { fork } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { TARGETS } from './fuzz/targets';

const { values } = parseArgs({
  options: {
    seed: { type: 'string' },
    seconds: { type: 'string', default: '120' },
    target: { type: 'string' },
    only: { type: 'string' },
    out: { type: 'string' },
  },
});

const CASE_TIMEOUT_MS = 10_000;
const MAX_RSS_MIB = 1536;
const CHILD = path.join(__dirname, 'fuzz', 'child.ts');

interface Crash {
  case: number;
  how: string;
  stderr: string;
  /** Killed for passing MAX_RSS_MIB, not a crash of its own making. */
  memory?: boolean;
}

interface TargetReport {
  target: string;
  cases: number;
  outcomes: Record<string, number>;
  crashes: Crash[];
  untyped: Record<string, { count: number; firstCase: number }>;
  peakRssMiB: number;
}

function rssOf(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** One child run from case `start`; resolves with the case after the last one it finished (or crashed on). */
function runChild(target: string, seed: number, start: number, deadline: number, report: TargetReport, only?: number): Promise<number> {
  const args = [target, String(seed), String(start), String(deadline), ...(only === undefined ? [] : [String(only)])];
  const child = fork(CHILD, args, {
    execArgv: ['--max-old-space-size=1024', '--import', 'tsx'],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => void (stderr = (stderr + chunk.toString()).slice(-2000)));
  let current: number | undefined;
  let startedAt = 0;
  let next = start;
  let killed: string | undefined;
  let memory = false;
  child.on('message', (message: { type: string; i: number; outcome: string; rssMiB: number }) => {
    if (message.type === 'start') {
      current = message.i;
      startedAt = Date.now();
    } else if (message.type === 'end') {
      current = undefined;
      next = message.i + 1;
      report.cases += 1;
      const key = message.outcome.startsWith('untyped') ? 'untyped' : message.outcome;
      report.outcomes[key] = (report.outcomes[key] ?? 0) + 1;
      if (key === 'untyped') {
        const entry = (report.untyped[message.outcome] ??= { count: 0, firstCase: message.i });
        entry.count += 1;
      }
    } else if (message.type === 'done') {
      report.peakRssMiB = Math.max(report.peakRssMiB, message.rssMiB);
    }
  });
  const watch = setInterval(() => {
    if (child.pid === undefined) return;
    const rss = rssOf(child.pid);
    report.peakRssMiB = Math.max(report.peakRssMiB, rss);
    if (rss > MAX_RSS_MIB) [killed, memory] = [`over ${MAX_RSS_MIB} MiB RSS`, true];
    else if (current !== undefined && Date.now() - startedAt > CASE_TIMEOUT_MS) killed = `one case ran past ${CASE_TIMEOUT_MS} ms`;
    if (killed) child.kill('SIGKILL');
  }, 50);
  return new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      clearInterval(watch);
      if (current !== undefined || killed || (code !== 0 && code !== null) || (signal && !killed)) {
        const at = current ?? next;
        report.cases += current !== undefined ? 1 : 0;
        report.crashes.push({
          case: at,
          how: killed ?? (signal ? `signal ${signal}` : `exit ${code}`),
          stderr: stderr.slice(-600),
          memory,
        });
        resolve(at + 1);
      } else {
        resolve(next);
      }
    });
  });
}

async function fuzzTarget(target: string, seed: number, seconds: number, only?: number): Promise<TargetReport> {
  const report: TargetReport = { target, cases: 0, outcomes: {}, crashes: [], untyped: {}, peakRssMiB: 0 };
  const deadline = Date.now() + seconds * 1000;
  if (only !== undefined) {
    await runChild(target, seed, only, deadline, report, only);
    return report;
  }
  let next = 0;
  while (Date.now() < deadline) next = await runChild(target, seed, next, deadline, report);
  return report;
}

async function main(): Promise<void> {
  const seed = values.seed !== undefined ? Number(values.seed) : Date.now() % 2 ** 31;
  const seconds = Number(values.seconds);
  const targets = values.target ? [values.target] : TARGETS.map((t) => t.name);
  const unknown = targets.find((t) => !TARGETS.some((known) => known.name === t));
  if (unknown) throw new Error(`unknown target ${unknown}; targets: ${TARGETS.map((t) => t.name).join(', ')}`);
  const only = values.only !== undefined ? Number(values.only) : undefined;
  const machine = `${os.cpus()[0]?.model ?? 'unknown CPU'} (${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB), Node ${process.version}, ${os.platform()} ${os.arch()}`;
  console.log(`fuzz: seed ${seed}, ${seconds} s in all${only === undefined ? '' : ` (case ${only} only)`}, ${machine}`);
  const reports: TargetReport[] = [];
  for (const target of targets) {
    const report = await fuzzTarget(target, seed, only === undefined ? seconds / targets.length : seconds, only);
    reports.push(report);
    const outcomes = Object.entries(report.outcomes)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    const crashCount = report.crashes.filter((c) => !c.memory).length;
    const memoryCount = report.crashes.length - crashCount;
    console.log(
      `${target}: ${report.cases} cases, ${crashCount} crashes, ${memoryCount} over memory, peak RSS ${Math.round(report.peakRssMiB)} MiB; ${outcomes}`,
    );
    for (const crash of report.crashes) {
      const last = crash.stderr.trim().split('\n').slice(-3).join('\n    ');
      console.log(`  ${crash.memory ? 'MEMORY' : 'CRASH'} case ${crash.case}: ${crash.how}\n    ${last}`);
    }
    for (const [message, { count, firstCase }] of Object.entries(report.untyped))
      console.log(`  untyped x${count} (first: case ${firstCase}): ${message}`);
  }
  const total = reports.reduce((n, r) => n + r.cases, 0);
  const crashes = reports.reduce((n, r) => n + r.crashes.filter((c) => !c.memory).length, 0);
  const overMemory = reports.reduce((n, r) => n + r.crashes.filter((c) => c.memory).length, 0);
  const untyped = reports.reduce((n, r) => n + (r.outcomes.untyped ?? 0), 0);
  console.log(
    `total: ${total} cases, ${crashes} crashes, ${overMemory} over memory, ${untyped} untyped errors (seed ${seed}, ${seconds} s, ${machine})`,
  );
  if (values.out)
    writeFileSync(values.out, JSON.stringify({ seed, seconds, machine, total, crashes, overMemory, untyped, reports }, null, 2));
  process.exitCode = crashes > 0 ? 1 : 0;
}

void main();
