/**
 * Child processes for tests that run programs as users do (examples, documentation blocks): each in its
 * own process group, so that it and whatever it started (servers, ffmpeg) are stopped together, by its
 * pid, when it ends, when it runs past its time, and after the test file even when a test failed.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

export const REPO_ROOT = path.resolve(__dirname, '../..');

/** `node --import tsx FILE`: TypeScript as `npx tsx FILE` runs it, in one process (no tsx wrapper in between). */
export function tsxArgs(file: string, args: string[] = []): string[] {
  return ['--import', pathToFileURL(require.resolve('tsx')).href, file, ...args];
}

export interface ProcessOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** Killed (its whole group) after this long. */
  timeoutMs: number;
}

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export interface Running {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first stdout line matching `pattern`; rejects, with the output, if the process ends first. */
  waitForLine(pattern: RegExp): Promise<string>;
  /** Sends `signal` to the process itself (not its group), as a user's Ctrl-C or a supervisor's SIGTERM would. */
  signal(signal: NodeJS.Signals): void;
  finished: Promise<Finished>;
}

const groups = new Set<number>();

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // the group is already gone
  }
}

/** Call once per test file: kills, by pid, every process group a test left behind. */
export function killProcessGroupsAfterAll(): void {
  afterAll(() => {
    for (const pid of groups) killGroup(pid);
    groups.clear();
  });
}

/** Starts `command` in a process group of its own; the group is killed when the command ends or times out. */
export function start(command: string, args: string[], options: ProcessOptions): Running {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const pid = child.pid;
  if (pid !== undefined) groups.add(pid);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    if (pid !== undefined) killGroup(pid);
  }, options.timeoutMs);
  // On exit, what it started and left running goes with it, which also closes the pipes they held.
  child.once('exit', () => {
    clearTimeout(timer);
    if (pid !== undefined) killGroup(pid);
  });
  const finished = new Promise<Finished>((resolve) => {
    const done = (code: number | null, signal: NodeJS.Signals | null) => {
      clearTimeout(timer);
      if (pid !== undefined) {
        killGroup(pid);
        groups.delete(pid);
      }
      resolve({ code, signal, stdout, stderr, timedOut });
    };
    child.once('error', (error) => {
      stderr += `\n${error.message}`;
      done(null, null);
    });
    child.once('close', done);
  });
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    signal: (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
    finished,
    waitForLine(pattern) {
      return new Promise<string>((resolve, reject) => {
        const look = (): boolean => {
          const line = stdout.split('\n').find((l) => pattern.test(l));
          if (line === undefined) return false;
          child.stdout!.off('data', look);
          resolve(line);
          return true;
        };
        if (look()) return;
        child.stdout!.on('data', look);
        void finished.then((end) => {
          if (!look()) reject(new Error(`exited (${end.signal ?? end.code}) before printing ${pattern}\n${describeRun(end)}`));
        });
      });
    },
  };
}

/** Runs `command` to its end. */
export function run(command: string, args: string[], options: ProcessOptions): Promise<Finished> {
  return start(command, args, options).finished;
}

/** What a run printed, for a failing test's message. */
export function describeRun(end: Finished): string {
  const status = end.timedOut ? 'timed out' : `exit ${end.signal ?? end.code}`;
  return `${status}\n--- stderr ---\n${end.stderr.trimEnd()}\n--- stdout ---\n${end.stdout.trimEnd()}`;
}
