/**
 * resolveModel('FastSAM-s.pt') -> a local path: the file itself when it exists, else the cached copy in
 * $FASTSAM_HOME (default ~/.cache/fastsam-node), else a verified download of the official weights. Offline,
 * the error says exactly which URL to fetch and where to put the file.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { FastSAMError } from '../errors';
import { checkInteger, checkString, invalid, is } from '../options/check';
import { fileSha256, readDigest, recordDigest } from './checksum';
import { download, DownloadFailure, type DownloadProgress } from './download';
import { downloadError } from './errors';
import { DEFAULT_DOWNLOAD_BASE, KNOWN_MODELS, knownModel } from './known-models';
import { withLock } from './lock';
import { cacheHome, isBareName } from './paths';
import { progressBar } from './progress';

export interface ResolveOptions {
  /** Cache folder. Default: $FASTSAM_HOME, else ~/.cache/fastsam-node. */
  home?: string;
  /** Where model names are downloaded from. Default: $FASTSAM_DOWNLOAD_BASE, else Ultralytics' assets release. */
  baseUrl?: string;
  /** Never use the network. Default: $FASTSAM_OFFLINE is 1 or true. */
  offline?: boolean;
  /** true: a progress bar on stderr; false: none; a function: your own. Default: a bar when stderr is a TTY. */
  progress?: boolean | ((progress: DownloadProgress) => void);
  /** Expected SHA-256 and size (override the published ones, e.g. for a mirror of other files). */
  sha256?: string;
  size?: number;
  /** Idle time before a stalled request is retried. Default 30 s. */
  timeoutMs?: number;
  /** Retries after network errors, 5xx and stalls (resuming each time). Default 4. */
  retries?: number;
  /** The most bytes accepted for a file nobody gives a size for. Default 1 GiB (FastSAM-x is 145 MB). */
  maxBytes?: number;
  /** The whole download, waiting for another process's included, gives up after this long. Default 1 hour. */
  deadlineMs?: number;
}

const DEFAULTS = { timeoutMs: 30_000, retries: 4, maxBytes: 2 ** 30, deadlineMs: 3_600_000 };

function checkResolveOptions(options: ResolveOptions): void {
  if (options.timeoutMs !== undefined) checkInteger('timeoutMs', options.timeoutMs, 1, 2 ** 31 - 1);
  if (options.retries !== undefined) checkInteger('retries', options.retries, 0, 100);
  if (options.maxBytes !== undefined) checkInteger('maxBytes', options.maxBytes, 1, Number.MAX_SAFE_INTEGER);
  if (options.deadlineMs !== undefined) checkInteger('deadlineMs', options.deadlineMs, 1, 2 ** 31 - 1);
  if (options.size !== undefined) checkInteger('size', options.size, 0, Number.MAX_SAFE_INTEGER);
  if (options.sha256 !== undefined && !(is.string(options.sha256) && /^[0-9a-fA-F]{64}$/.test(options.sha256))) {
    invalid('sha256', 'a hex SHA-256 digest (64 characters)', options.sha256);
  }
}

/** An http(s) URL, or E_BAD_OPTION naming where it came from ('' included: set but empty is not unset). */
function httpUrl(name: string, value: string): URL {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) invalid(name, 'an http:// or https:// URL', value);
  return url;
}

function envFlag(name: string): boolean {
  return /^(1|true|yes)$/i.test(process.env[name] ?? '');
}

function progressCallback(option: ResolveOptions['progress']): ((p: DownloadProgress) => void) | undefined {
  if (typeof option === 'function') return option;
  const show = option ?? Boolean(process.stderr.isTTY);
  return show ? progressBar() : undefined;
}

async function isFile(file: string): Promise<boolean> {
  return (await fs.stat(file).catch(() => undefined))?.isFile() ?? false;
}

function manualInstructions(url: string, target: string): string {
  return `To use it offline, download ${url} on a connected machine and put it at ${target} (the model cache; set FASTSAM_HOME to move it), or pass the file's own path instead of its name.`;
}

interface Source {
  name: string;
  url: string | undefined;
}

function sourceOf(nameOrUrl: string, options: ResolveOptions): Source {
  if (/^https?:\/\//i.test(nameOrUrl)) {
    const url = httpUrl('a model URL', nameOrUrl);
    let name: string;
    try {
      name = decodeURIComponent(url.pathname.split('/').pop() ?? '');
    } catch {
      name = '';
    }
    if (!isBareName(name)) throw new FastSAMError('E_BAD_OPTION', `cannot name a cached file after the URL ${nameOrUrl}`);
    return { name, url: url.href };
  }
  const fromEnv = process.env.FASTSAM_DOWNLOAD_BASE;
  const explicitBase = options.baseUrl ?? fromEnv;
  if (explicitBase !== undefined) httpUrl(options.baseUrl !== undefined ? 'baseUrl' : 'FASTSAM_DOWNLOAD_BASE', explicitBase);
  const base = explicitBase ?? (knownModel(nameOrUrl) ? DEFAULT_DOWNLOAD_BASE : undefined);
  return { name: nameOrUrl, url: base ? `${base.replace(/\/+$/, '')}/${encodeURIComponent(nameOrUrl)}` : undefined };
}

/** A cached file is trusted once its digest is recorded; a file put there by hand is checked first. */
async function checkCached(file: string, name: string, options: ResolveOptions): Promise<void> {
  const recorded = await readDigest(file);
  const expected = options.sha256 ?? knownModel(name)?.sha256;
  if (recorded && (!expected || recorded.sha256 === expected.toLowerCase())) return;
  const sha256 = await fileSha256(file);
  if (expected && sha256 !== expected.toLowerCase()) {
    throw downloadError(
      `${file} does not match the published SHA-256 of ${name} (${expected}, found ${sha256}); delete it to download it again, or pass its path to use it as it is`,
    );
  }
  await recordDigest(file, { sha256, size: (await fs.stat(file)).size });
}

async function fetchToCache(
  source: Source & { url: string },
  target: string,
  options: ResolveOptions,
  signal: AbortSignal,
): Promise<string> {
  const recorded = await readDigest(target);
  const known = knownModel(source.name);
  const expected = {
    sha256: options.sha256 ?? known?.sha256 ?? recorded?.sha256,
    size: options.size ?? known?.size ?? recorded?.size,
  };
  try {
    const result = await download(source.url, target, {
      name: source.name,
      expected,
      onProgress: progressCallback(options.progress),
      timeoutMs: options.timeoutMs ?? DEFAULTS.timeoutMs,
      retries: options.retries ?? DEFAULTS.retries,
      maxBytes: options.maxBytes ?? DEFAULTS.maxBytes,
      deadlineMs: options.deadlineMs ?? DEFAULTS.deadlineMs,
      signal,
    });
    // Unpublished files: the first download's digest is recorded and later downloads must match it.
    await recordDigest(target, result);
    return target;
  } catch (error) {
    if (!(error instanceof DownloadFailure)) throw error;
    const kept = error.kept > 0 ? ` ${error.kept} bytes are kept in ${target}.part; run again to resume.` : '';
    throw downloadError(
      `cannot download ${source.name} from ${source.url}: ${error.message}.${kept} ${manualInstructions(source.url, target)}`,
      error,
    );
  }
}

/** A local path for a model file path, cached name, or URL, downloading the official weights if needed. */
export async function resolveModel(nameOrPath: string, options: ResolveOptions = {}): Promise<string> {
  checkString('model', nameOrPath);
  checkResolveOptions(options);
  if (await isFile(nameOrPath)) return path.resolve(nameOrPath);
  const isUrl = /^https?:\/\//i.test(nameOrPath);
  if (!isUrl && !isBareName(nameOrPath)) throw new FastSAMError('E_FILE_NOT_FOUND', `model file not found: ${nameOrPath}`);
  const source = sourceOf(nameOrPath, options);
  const home = cacheHome(options.home);
  const target = path.join(home, source.name);
  if (await isFile(target)) {
    await checkCached(target, source.name, options);
    return target;
  }
  if (!source.url) {
    throw new FastSAMError(
      'E_FILE_NOT_FOUND',
      `model file not found: ${nameOrPath} (not here, not in ${home}, and not a model fastsam-node downloads: ${Object.keys(KNOWN_MODELS).join(', ')})`,
    );
  }
  if (options.offline ?? envFlag('FASTSAM_OFFLINE')) {
    throw downloadError(
      `${source.name} is not in the model cache and downloads are off (offline). ${manualInstructions(source.url, target)}`,
    );
  }
  const url = source.url;
  try {
    await fs.mkdir(home, { recursive: true });
    // The deadline covers waiting for another process's download too.
    const deadline = AbortSignal.timeout(options.deadlineMs ?? DEFAULTS.deadlineMs);
    return await withLock(
      `${target}.lock`,
      async (signal) => {
        // Another process may have finished it while we waited for the lock.
        if (await isFile(target)) return target;
        return fetchToCache({ ...source, url }, target, options, signal);
      },
      { signal: deadline },
    );
  } catch (error) {
    if (error instanceof FastSAMError) throw error;
    if ((error as Error)?.name === 'TimeoutError') {
      throw downloadError(`gave up waiting for another download of ${source.name} into ${home} (the deadline passed)`, error);
    }
    // The cache folder itself failed us (read-only, full disk, ...).
    throw downloadError(`cannot store ${source.name} in ${home}: ${(error as Error).message}. ${manualInstructions(url, target)}`, error);
  }
}
