/**
 * An ffmpeg or ffprobe child process: stderr drained as it comes (a full stderr pipe would block the
 * child) and its tail kept for error messages, the exit awaited, and a stop() that kills and waits, so
 * a consumer that stops early never leaves a process behind.
 */
import { type ChildProcess, spawn } from 'node:child_process';

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Why the process could not start or run, e.g. ENOENT. */
  error?: Error;
}

const STDERR_KEPT = 16 * 1024;

export class ToolProcess {
  readonly child: ChildProcess;
  /** Resolves once the process has exited and its pipes are closed. */
  readonly exited: Promise<ChildExit>;
  private stderrTail = '';
  private done = false;
  private stopping = false;

  constructor(file: string, args: string[], options: { stdin: 'pipe' | 'ignore'; stdout: 'pipe' | 'ignore' }) {
    this.child = spawn(file, args, { stdio: [options.stdin, options.stdout, 'pipe'], windowsHide: true });
    this.child.stderr!.setEncoding('utf8');
    this.child.stderr!.on('data', (text: string) => {
      this.stderrTail = (this.stderrTail + text).slice(-STDERR_KEPT);
    });
    // A reader that stops early or a child that dies makes the pipes fail: the exit says what happened.
    this.child.stdout?.on('error', () => undefined);
    this.child.stdin?.on('error', () => undefined);
    this.exited = new Promise((resolve) => {
      this.child.once('error', (error) => {
        this.done = true;
        resolve({ code: null, signal: null, error });
      });
      this.child.once('close', (code, signal) => {
        this.done = true;
        resolve({ code, signal });
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return !this.done;
  }

  /** Whether stop() ended it (not a failure of the child). */
  get stopped(): boolean {
    return this.stopping;
  }

  /** The last 16 KB the process wrote on stderr, trimmed. */
  get stderr(): string {
    return this.stderrTail.trim();
  }

  /** Kills the process if it still runs and waits until it is gone. */
  async stop(): Promise<ChildExit> {
    if (!this.done) {
      this.stopping = true;
      this.child.kill('SIGKILL');
      this.child.stdout?.destroy();
      this.child.stdin?.destroy();
    }
    return this.exited;
  }
}

/** The last lines of a tool's stderr, for one-line error messages. */
export function stderrSummary(text: string, lines = 3): string {
  // "[mov,mp4,m4a,3gp,3g2,mj2 @ 0x5597ecd26940] partial file": the component prefix says nothing to a user.
  const kept = text
    .split(/\r?\n/)
    .map((l) => l.replace(/^\[[^\]]* @ 0x[0-9a-f]+\]\s*/i, '').trim())
    .filter((l) => l.length > 0);
  return kept.slice(-lines).join(' | ');
}
