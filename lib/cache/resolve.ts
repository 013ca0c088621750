/**
 * resolveModel('FastSAM-s.pt') -> a local path: the file itself when it exists, else the cached copy in
 * $FASTSAM_HOME (default ~/.cache/fastsam-node), else a verified download of the official weights. Offline,
 * the error says exactly which URL to fetch and where to put the file.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { FastSAMError } from '../errors';
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
    const name = decodeURIComponent(new URL(nameOrUrl).pathname.split('/').pop() ?? '');
    if (!isBareName(name)) throw new FastSAMError('E_BAD_OPTION', `cannot name a cached file after the URL ${nameOrUrl}`);
    return { name, url: nameOrUrl };
  }
  const explicitBase = options.baseUrl ?? process.env.FASTSAM_DOWNLOAD_BASE;
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

async function fetchToCache(source: Source & { url: string }, target: string, options: ResolveOptions): Promise<string> {
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
      timeoutMs: options.timeoutMs ?? 30_000,
      retries: options.retries ?? 4,
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
    return await withLock(`${target}.lock`, async () => {
      // Another process may have finished it while we waited for the lock.
      if (await isFile(target)) return target;
      return fetchToCache({ ...source, url }, target, options);
    });
  } catch (error) {
    if (error instanceof FastSAMError) throw error;
    // The cache folder itself failed us (read-only, full disk, ...).
    throw downloadError(`cannot store ${source.name} in ${home}: ${(error as Error).message}. ${manualInstructions(url, target)}`, error);
  }
}
