/**
 * Resumable, verified, atomic downloads. Bytes go to DEST.part (with DEST.part.json remembering the URL
 * and the server's validator); an interrupted transfer resumes with a Range request (If-Range guards
 * against the file changing meanwhile); the finished file is checked against the expected size and
 * SHA-256 and only then renamed to DEST. A partial or wrong download never becomes a model.
 */
import { promises as fs } from 'node:fs';
import { fileSha256 } from './checksum';
import { HttpError, httpGet, type HttpResponse } from './http-get';

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
// A DNS failure will not heal in seconds: it means offline.
const FATAL_NETWORK = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ERR_INVALID_URL']);

async function sizeOf(file: string): Promise<number> {
  return (await fs.stat(file).catch(() => undefined))?.size ?? 0;
}

async function readMeta(file: string): Promise<PartMeta | undefined> {
  const text = await fs.readFile(file, 'utf8').catch(() => undefined);
  try {
    return text ? (JSON.parse(text) as PartMeta) : undefined;
  } catch {
    return undefined;
  }
}

function isRetryable(error: unknown): boolean {
  if (error instanceof HttpError) return error.retryable;
  if (error instanceof DownloadFailure) return false;
  const code = (error as NodeJS.ErrnoException).code;
  return code === undefined || !FATAL_NETWORK.has(code);
}

function contentRange(header: string | undefined): { start: number; total?: number } | undefined {
  const match = header ? /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(header.trim()) : null;
  return match ? { start: Number(match[1]), total: match[2] === '*' ? undefined : Number(match[2]) } : undefined;
}

class Transfer {
  private readonly part: string;
  private readonly metaFile: string;
  private readonly started = performance.now();
  private transferred = 0;

  constructor(
    private readonly url: string,
    readonly dest: string,
    private readonly options: DownloadOptions,
  ) {
    this.part = `${dest}.part`;
    this.metaFile = `${dest}.part.json`;
  }

  async run(): Promise<Downloaded> {
    for (let attempt = 0; ; attempt++) {
      try {
        if (await this.attempt()) break;
      } catch (error) {
        if (!isRetryable(error) || attempt >= this.options.retries) {
          const kept = await sizeOf(this.part);
          if (error instanceof DownloadFailure) throw error;
          const status = error instanceof HttpError ? error.status : undefined;
          throw new DownloadFailure((error as Error).message, kept, status);
        }
        await new Promise((resolve) => setTimeout(resolve, BACKOFF_MS[Math.min(attempt, BACKOFF_MS.length - 1)]));
      }
    }
    return this.finish();
  }

  private async restart(): Promise<void> {
    await fs.rm(this.part, { force: true });
    await fs.rm(this.metaFile, { force: true });
  }

  /** One request; true once the part file holds the whole file. */
  private async attempt(): Promise<boolean> {
    const meta = await readMeta(this.metaFile);
    let offset = await sizeOf(this.part);
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
    const response = await httpGet(this.url, headers, this.options.timeoutMs);
    return this.receive(response, offset);
  }

  private async receive(response: HttpResponse, offset: number): Promise<boolean> {
    const { status, headers, body } = response;
    let start = 0;
    let total: number | undefined;
    if (status === 200) {
      total = headers['content-length'] === undefined ? undefined : Number(headers['content-length']);
    } else if (status === 206) {
      const range = contentRange(headers['content-range']);
      if (!range || range.start !== offset) {
        body.resume();
        await this.restart();
        throw new HttpError('the server resumed at the wrong offset; starting over', true, status);
      }
      start = offset;
      total = range.total;
    } else if (status === 416 && offset > 0) {
      body.resume();
      const range = /\/(\d+)$/.exec(headers['content-range'] ?? '');
      if (range && Number(range[1]) === offset) return true;
      await this.restart();
      throw new HttpError('the partial download does not fit the file on the server; starting over', true, status);
    } else {
      body.resume();
      const retryable = status >= 500 || status === 408 || status === 429;
      throw new HttpError(`HTTP ${status} for ${response.url}`, retryable, status);
    }
    const expectedSize = this.options.expected?.size;
    if (expectedSize !== undefined && total !== undefined && total !== expectedSize) {
      body.resume();
      throw new DownloadFailure(
        `the server offers ${total} bytes, but ${this.options.name} has ${expectedSize}`,
        await sizeOf(this.part),
        status,
      );
    }
    if (start === 0) {
      await this.restart();
      const validator = headers.etag ?? headers['last-modified'];
      await fs.writeFile(this.metaFile, JSON.stringify({ url: this.url, validator, total } satisfies PartMeta));
    }
    const received = await this.append(body, start, total);
    if (total !== undefined && start + received < total) {
      throw new HttpError(`the connection closed after ${start + received} of ${total} bytes`, true);
    }
    return true;
  }

  private async append(body: HttpResponse['body'], start: number, total: number | undefined): Promise<number> {
    const handle = await fs.open(this.part, start === 0 ? 'w' : 'a');
    let received = 0;
    try {
      for await (const chunk of body) {
        await handle.write(chunk as Buffer);
        received += (chunk as Buffer).length;
        this.transferred += (chunk as Buffer).length;
        this.report(start + received, total, false);
      }
    } finally {
      await handle.close();
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
    const size = await sizeOf(this.part);
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
