/**
 * Resumable, verified, atomic, bounded downloads. A transfer claims DEST.part (with DEST.part.json
 * remembering the URL and the server's validator) by renaming it to a file of its own, so two processes
 * never write one file even should the cache lock fail them; an interrupted transfer resumes with a Range
 * request (If-Range guards against the file changing meanwhile) and leaves its bytes back in DEST.part;
 * the finished file is checked against the expected size and SHA-256 and only then renamed to DEST. A
 * partial or wrong download never becomes a model.
 *
 * Bounded: a transfer stops as soon as it passes the size it should have (expected, declared by the
 * server, or maxBytes when nothing says), the whole download has a deadline, and a file whose end cannot
 * be told from a cut connection (no size anywhere, not chunked, no SHA-256 to check) is refused. The part
 * files are never followed through links: one planted there is removed, not appended to.
 */
import { randomBytes } from 'node:crypto';
import { constants, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { fileSha256 } from './checksum';
import { HttpError, httpFailure, httpGet, type HttpResponse } from './http-get';

export interface DownloadProgress {
  name: string;
  received: number;
  total: number | undefined;
  bytesPerSecond: number;
  done: boolean;
}

export interface DownloadOptions {
  /** For progress and messages. */
  name: string;
  expected?: { size?: number; sha256?: string };
  onProgress?: (progress: DownloadProgress) => void;
  /** Idle time after which a request is abandoned (and retried). */
  timeoutMs: number;
  /** Retries after the first attempt, for network errors, 5xx and stalls. */
  retries: number;
  /** The most bytes accepted when neither the caller nor the server says how big the file is. */
  maxBytes: number;
  /** The whole download, retries and waits included, gives up after this long. */
  deadlineMs: number;
  /** Aborts the download (e.g. the cache lock was lost). */
  signal?: AbortSignal;
}

export interface Downloaded {
  sha256: string;
  size: number;
}

/** Why a download failed for good; `kept` is the partial size left for a later resume. */
export class DownloadFailure extends Error {
  constructor(
    message: string,
    readonly kept: number,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'DownloadFailure';
  }
}

interface PartMeta {
  url: string;
  validator?: string;
  total?: number;
}

const BACKOFF_MS = [250, 1000, 3000, 6000];
// Never through a link: a planted DEST.part -> ~/.bashrc must not be appended to, nor cached.
const WRITE = constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW;

/** The size of a regular file; 0 when absent. A link or anything else planted there is removed first. */
async function partSize(file: string): Promise<number> {
  const stat = await fs.lstat(file).catch(() => undefined);
  if (!stat) return 0;
  if (stat.isFile()) return stat.size;
  await fs.rm(file, { force: true, recursive: false }).catch(() => undefined);
  return 0;
}

async function readMeta(file: string): Promise<PartMeta | undefined> {
  const stat = await fs.lstat(file).catch(() => undefined);
  if (!stat?.isFile() || stat.size > 64 * 1024) return undefined;
  const text = await fs.readFile(file, 'utf8').catch(() => undefined);
  try {
    return text ? (JSON.parse(text) as PartMeta) : undefined;
  } catch {
    return undefined;
  }
}

async function writeNoFollow(file: string, data: string): Promise<void> {
  await fs.rm(file, { force: true });
  const handle = await fs.open(file, WRITE | constants.O_EXCL);
  try {
    await handle.writeFile(data);
  } finally {
    await handle.close();
  }
}

function isRetryable(error: unknown): boolean {
  if (error instanceof HttpError) return error.retryable;
  return false;
}

function contentRange(header: string | null): { start: number; total?: number } | undefined {
  const match = header ? /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(header.trim()) : null;
  return match ? { start: Number(match[1]), total: match[2] === '*' ? undefined : Number(match[2]) } : undefined;
}

function declaredLength(response: HttpResponse): number | undefined {
  const value = response.header('content-length');
  return value !== null && /^\d+$/.test(value) ? Number(value) : undefined;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

class Transfer {
  /** Where a resumable download waits between runs. */
  private readonly shared: string;
  /** This transfer's own working file (and `${part}.json`). */
  private readonly part: string;
  private readonly metaFile: string;
  private readonly started = performance.now();
  private transferred = 0;
  private readonly signal: AbortSignal;

  constructor(
    private readonly url: string,
    readonly dest: string,
    private readonly options: DownloadOptions,
  ) {
    this.shared = `${dest}.part`;
    this.part = `${dest}.part.${process.pid}.${randomBytes(4).toString('hex')}`;
    this.metaFile = `${this.part}.json`;
    const deadline = AbortSignal.timeout(options.deadlineMs);
    this.signal = options.signal ? AbortSignal.any([deadline, options.signal]) : deadline;
  }

  async run(): Promise<Downloaded> {
    await this.claim();
    try {
      return await this.transfer();
    } catch (error) {
      await this.leave();
      throw error;
    }
  }

  /**
   * Takes over DEST.part (or the working file of a process that died mid-download) by renaming it: a
   * rename happens once, so no two transfers ever append to one file.
   */
  private async claim(): Promise<void> {
    const base = path.basename(this.shared);
    const orphan = new RegExp(`^${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.(\\d+)\\.[0-9a-f]{8}$`);
    const names = await fs.readdir(path.dirname(this.shared)).catch(() => [] as string[]);
    const orphans = names.filter((name) => {
      const pid = orphan.exec(name)?.[1];
      return pid !== undefined && !alive(Number(pid));
    });
    for (const candidate of [this.shared, ...orphans.map((name) => path.join(path.dirname(this.shared), name))]) {
      const claimed = await fs.rename(candidate, this.part).then(
        () => true,
        () => false,
      );
      if (!claimed) continue;
      const metaFrom = candidate === this.shared ? `${this.shared}.json` : `${candidate}.json`;
      await fs.rename(metaFrom, this.metaFile).catch(() => undefined);
      return;
    }
  }

  /** Puts a partial download back in DEST.part for a later run (when nobody else put one there). */
  private async leave(): Promise<void> {
    if ((await partSize(this.part)) > 0 && !(await fs.lstat(this.shared).catch(() => undefined))) {
      await fs.rename(this.part, this.shared).catch(() => undefined);
      await fs.rename(this.metaFile, `${this.shared}.json`).catch(() => undefined);
    }
    await this.restart();
  }

  private async transfer(): Promise<Downloaded> {
    for (let attempt = 0; ; attempt++) {
      try {
        if (await this.attempt()) break;
      } catch (error) {
        const failure = this.stopped(error);
        if (failure || !isRetryable(error) || attempt >= this.options.retries) {
          const kept = await partSize(this.part);
          if (failure) throw new DownloadFailure(failure, kept);
          if (error instanceof DownloadFailure && error.kept > 0) throw new DownloadFailure(error.message, kept, error.status);
          if (error instanceof DownloadFailure) throw error;
          const status = error instanceof HttpError ? error.status : undefined;
          throw new DownloadFailure((error as Error).message, kept, status);
        }
        await this.sleep(BACKOFF_MS[Math.min(attempt, BACKOFF_MS.length - 1)]);
      }
    }
    return this.finish();
  }

  /** Why the signal stopped the download, if it did. */
  private stopped(error: unknown): string | undefined {
    if (!this.signal.aborted) return undefined;
    const reason = this.signal.reason as Error | undefined;
    if (reason?.name === 'TimeoutError') return `gave up after the ${this.options.deadlineMs} ms deadline for the whole download`;
    return `stopped: ${reason?.message ?? (error as Error)?.message ?? 'aborted'}`;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
    });
  }

  private async restart(): Promise<void> {
    await fs.rm(this.part, { force: true });
    await fs.rm(this.metaFile, { force: true });
  }

  /** One request; true once the part file holds the whole file. */
  private async attempt(): Promise<boolean> {
    this.signal.throwIfAborted();
    const meta = await readMeta(this.metaFile);
    let offset = await partSize(this.part);
    const expectedSize = this.options.expected?.size;
    if (offset > 0 && (meta?.url !== this.url || (expectedSize !== undefined && offset > expectedSize))) {
      await this.restart();
      offset = 0;
    }
    const total = expectedSize ?? meta?.total;
    if (offset > 0 && total !== undefined && offset === total) return true;
    const headers: Record<string, string> = {};
    if (offset > 0) {
      headers.range = `bytes=${offset}-`;
      if (meta?.validator) headers['if-range'] = meta.validator;
    }
    const response = await httpGet(this.url, headers, this.options.timeoutMs, this.signal);
    return this.receive(response, offset);
  }

  private async receive(response: HttpResponse, offset: number): Promise<boolean> {
    const { status, header } = response;
    const drop = async (): Promise<void> => response.drop();
    let start = 0;
    let total: number | undefined;
    if (status === 200) {
      total = declaredLength(response);
    } else if (status === 206) {
      const range = contentRange(header('content-range'));
      if (!range || range.start !== offset) {
        await drop();
        await this.restart();
        throw new HttpError('the server resumed at the wrong offset; starting over', true, status);
      }
      start = offset;
      total = range.total;
    } else if (status === 416 && offset > 0) {
      await drop();
      const range = /\/(\d+)$/.exec(header('content-range') ?? '');
      if (range && Number(range[1]) === offset) return true;
      await this.restart();
      throw new HttpError('the partial download does not fit the file on the server; starting over', true, status);
    } else {
      await drop();
      const retryable = status >= 500 || status === 408 || status === 429;
      throw new HttpError(`HTTP ${status} for ${response.url}`, retryable, status);
    }
    const { expected = {}, maxBytes } = this.options;
    if (expected.size !== undefined && total !== undefined && total !== expected.size) {
      await drop();
      throw new DownloadFailure(
        `the server offers ${total} bytes, but ${this.options.name} has ${expected.size}`,
        await partSize(this.part),
        status,
      );
    }
    const limit = expected.size ?? total ?? maxBytes;
    if (limit > maxBytes && expected.size === undefined) {
      await drop();
      throw new DownloadFailure(
        `the server offers ${limit} bytes, more than the ${maxBytes} allowed (raise maxBytes if you expect it)`,
        0,
        status,
      );
    }
    // With no size from anyone, only chunked encoding (whose last chunk marks the end) or a SHA-256 to
    // check tells a complete file from a connection that was cut.
    const provable =
      expected.size !== undefined ||
      total !== undefined ||
      expected.sha256 !== undefined ||
      /chunked/i.test(header('transfer-encoding') ?? '');
    if (!provable) {
      await drop();
      throw new DownloadFailure(
        `the server says neither how big ${this.options.name} is nor where it ends; pass its size or SHA-256 to accept it`,
        0,
        status,
      );
    }
    if (start === 0) {
      await this.restart();
      const validator = header('etag') ?? header('last-modified') ?? undefined;
      await writeNoFollow(this.metaFile, JSON.stringify({ url: this.url, validator, total } satisfies PartMeta));
    }
    const received = await this.append(response, start, total, limit);
    if (total !== undefined && start + received < total) {
      throw new HttpError(`the connection closed after ${start + received} of ${total} bytes`, true);
    }
    return true;
  }

  private async append(response: HttpResponse, start: number, total: number | undefined, limit: number): Promise<number> {
    const url = new URL(response.url);
    const handle = await fs.open(this.part, WRITE | (start === 0 ? constants.O_TRUNC : constants.O_APPEND));
    let received = 0;
    try {
      // Checked on the open file too: the path could have been swapped between lstat and open.
      if (!(await handle.stat()).isFile()) throw new DownloadFailure(`${this.part} is not a regular file`, 0);
      for await (const chunk of response.body) {
        if (start + received + chunk.length > limit) {
          response.drop();
          await handle.close();
          await this.restart();
          throw new DownloadFailure(
            `the server sent more than the ${limit} bytes ${this.options.name} should have; the download was removed`,
            0,
          );
        }
        await handle.write(chunk);
        received += chunk.length;
        this.transferred += chunk.length;
        this.report(start + received, total, false);
      }
    } catch (error) {
      if (error instanceof DownloadFailure || this.signal.aborted) throw error;
      throw httpFailure(error, url, this.options.timeoutMs);
    } finally {
      await handle.close().catch(() => undefined);
    }
    return received;
  }

  private report(received: number, total: number | undefined, done: boolean): void {
    const seconds = (performance.now() - this.started) / 1000;
    this.options.onProgress?.({
      name: this.options.name,
      received,
      total,
      bytesPerSecond: seconds > 0 ? this.transferred / seconds : 0,
      done,
    });
  }

  // Verify, then publish atomically.
  private async finish(): Promise<Downloaded> {
    const size = await partSize(this.part);
    const expected = this.options.expected ?? {};
    if (expected.size !== undefined && size !== expected.size) {
      await this.restart();
      throw new DownloadFailure(`downloaded ${size} bytes, but ${this.options.name} has ${expected.size}; the partial file was removed`, 0);
    }
    const sha256 = await fileSha256(this.part);
    if (expected.sha256 !== undefined && sha256 !== expected.sha256.toLowerCase()) {
      await this.restart();
      throw new DownloadFailure(
        `SHA-256 mismatch for ${this.options.name}: expected ${expected.sha256}, got ${sha256}; the download was removed`,
        0,
      );
    }
    // Not published when the lock was lost meanwhile: another holder may be writing the same part.
    if (this.signal.aborted) throw new DownloadFailure(this.stopped(undefined) ?? 'stopped', size);
    await fs.rename(this.part, this.dest);
    await fs.rm(this.metaFile, { force: true });
    this.report(size, size, true);
    return { sha256, size };
  }
}

/** Downloads `url` to `dest` (resuming DEST.part when present); throws DownloadFailure. */
export async function download(url: string, dest: string, options: DownloadOptions): Promise<Downloaded> {
  return new Transfer(url, dest, options).run();
}
