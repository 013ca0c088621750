/** Shared pieces of the queue tests: a real redis-server per test file, small models and images, a queue and its worker. */
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Redis } from 'ioredis';
import sharp from 'sharp';
import { FastSAM } from '../../lib/pipeline/fastsam';
import { FastSAMQueue, type FastSAMQueueOptions, FastSAMWorker, type FastSAMWorkerOptions } from '../../lib/queue';
import { hasRedisServer, type RedisServer, startRedisServer } from '../../scripts/fixtures/redis-server';
import { tinySegmentModel } from '../../scripts/fixtures/tiny-models';

export const redisAvailable = hasRedisServer();
if (!redisAvailable) console.warn('skipping queue tests: redis-server is not installed (Debian: apt-get install redis-server)');

/** `describe` when redis-server can run here, else a skipped block that says why. */
export const describeWithRedis = (name: string, body: () => void): void =>
  redisAvailable ? describe(name, body) : describe.skip(`${name} (skipped: no redis-server)`, body);

/** A redis-server for the whole test file: started in beforeAll, stopped by pid in afterAll. */
export function useRedisServer(args: string[] = []): { readonly url: string; readonly port: number; client(): Redis } {
  let server: RedisServer | undefined;
  const clients: Redis[] = [];
  beforeAll(async () => {
    server = await startRedisServer(args);
  });
  afterAll(async () => {
    for (const client of clients) client.disconnect();
    await server?.stop();
  });
  return {
    get url() {
      return server!.url;
    },
    get port() {
      return server!.port;
    },
    /** A plain client to look at what the queue left in Redis (closed with the server). */
    client() {
      const client = new Redis(server!.url);
      clients.push(client);
      return client;
    },
  };
}

/** A tiny FastSAM-contract model with a batch axis: one 20x20 detection in the middle of any image. */
export function tinyModelBytes(): Uint8Array {
  return tinySegmentModel({
    size: 64,
    boxes: [{ cx: 32, cy: 32, w: 20, h: 20, score: 0.9, coef: new Array(32).fill(0.1) }],
    protos: new Float32Array(32 * 256).fill(1),
    dynamic: true,
  });
}

export function loadTinyModel(
  dynamicBatching: NonNullable<Parameters<typeof FastSAM.load>[1]>['dynamicBatching'] = true,
): Promise<FastSAM> {
  return FastSAM.load(tinyModelBytes(), { dynamicBatching });
}

/** A temporary folder, removed after the file's tests. */
export function useTempDir(): { readonly dir: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fastsam-queue-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  return { dir };
}

export function grayPng(width = 64, height = 64, shade = 128): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: shade, g: shade, b: shade } } })
    .png()
    .toBuffer();
}

let queues = 0;
/** A queue name of its own for each test, so tests never see each other's jobs. */
export const freshQueueName = (): string => `test-${process.pid}-${++queues}`;

/** A producer and an in-process worker on a fresh queue; close() ends both (not the model). */
export async function queueAndWorker(
  url: string,
  model: FastSAM,
  options: { queue?: Partial<FastSAMQueueOptions>; worker?: Partial<FastSAMWorkerOptions> } = {},
): Promise<{ queue: FastSAMQueue; worker: FastSAMWorker; name: string; close(): Promise<void> }> {
  const name = freshQueueName();
  const worker = await FastSAMWorker.start({ redis: url, queue: name, model, ...options.worker });
  const queue = new FastSAMQueue({ redis: url, queue: name, ...options.queue });
  await queue.ready();
  return {
    queue,
    worker,
    name,
    async close() {
      await queue.close();
      await worker.close();
    },
  };
}

/** The answer without its timings (which differ run to run). */
export function withoutSpeed<T extends { speed?: unknown }>(answer: T): Omit<T, 'speed'> {
  const { speed: _speed, ...rest } = answer;
  return rest;
}

/** A `fastsam` child process (the compiled CLI, as users run it), with its output kept. */
export interface CliProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves when stdout has a line matching `pattern`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Resolves with the exit code (or signal name). */
  exited: Promise<number | string>;
}

export const CLI = path.resolve(__dirname, '../../dist/cli/index.js');
export const cliBuilt = fs.existsSync(CLI);

const children = new Set<ChildProcess>();
/** Kills (by pid) every child a test left running, even when it failed. */
export function killChildrenAfterAll(): void {
  afterAll(() => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
}

export function fastsam(args: string[], options: { cwd?: string } = {}): CliProcess {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => {
      children.delete(child);
      resolve(code ?? signal ?? -1);
    }),
  );
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitFor(pattern, timeoutMs = 60_000) {
      return new Promise<string>((resolve, reject) => {
        const look = () => {
          const line = out.split('\n').find((l) => pattern.test(l));
          if (line === undefined) return false;
          clearTimeout(timer);
          child.stdout!.off('data', look);
          resolve(line);
          return true;
        };
        const timer = setTimeout(() => {
          child.stdout!.off('data', look);
          reject(new Error(`no line matching ${pattern} in ${timeoutMs} ms; stdout:\n${out}\nstderr:\n${err}`));
        }, timeoutMs);
        if (look()) return;
        child.stdout!.on('data', look);
        void exited.then((code) => {
          if (!look()) {
            clearTimeout(timer);
            reject(new Error(`fastsam exited (${code}) before printing ${pattern}; stdout:\n${out}\nstderr:\n${err}`));
          }
        });
      });
    },
  };
}
