/**
 * resolveModel against a loopback HTTP server (never the network): cache lookups, verified downloads with
 * progress, resuming after interruptions, refusing wrong checksums and sizes, 404s, stalled and slow
 * servers, redirects, servers that ignore Range, concurrent callers, and the offline message.
 */
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type DownloadProgress, formatProgress, KNOWN_MODELS, resolveModel, type ResolveOptions } from '../../lib/cache';
import { startServer, type TestServer } from './server';

const PAYLOAD = randomBytes(3_000_000);
const SHA = createHash('sha256').update(PAYLOAD).digest('hex');
const NAME = 'FastSAM-test.pt';

let server: TestServer;
let home: string;

beforeEach(async () => {
  server = await startServer({ [`/${NAME}`]: PAYLOAD });
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'fastsam-cache-'));
});
afterEach(async () => {
  await server.close();
  fs.rmSync(home, { recursive: true, force: true });
});

function options(extra: ResolveOptions = {}): ResolveOptions {
  return { home, baseUrl: server.baseUrl, progress: false, timeoutMs: 2000, retries: 2, ...extra };
}

const target = (): string => path.join(home, NAME);
const failure = (message: RegExp): ReturnType<typeof expect.objectContaining> =>
  expect.objectContaining({ code: 'E_DOWNLOAD', message: expect.stringMatching(message) });

describe('the cache', () => {
  test('downloads once with progress, records the digest, then answers from the cache', async () => {
    const seen: DownloadProgress[] = [];
    const file = await resolveModel(NAME, options({ progress: (p) => seen.push({ ...p }) }));
    expect(file).toBe(target());
    expect(fs.readFileSync(file).equals(PAYLOAD)).toBe(true);
    expect(fs.readFileSync(`${file}.sha256`, 'utf8')).toBe(`${SHA}  ${NAME}\n# size ${PAYLOAD.length}\n`);
    expect(seen.length).toBeGreaterThan(1);
    expect(seen.at(-1)).toMatchObject({ received: PAYLOAD.length, total: PAYLOAD.length, done: true });
    expect(seen.every((p, i) => i === 0 || p.received >= seen[i - 1].received)).toBe(true);
    expect(fs.readdirSync(home).sort()).toEqual([NAME, `${NAME}.sha256`]);
    expect(await resolveModel(NAME, options())).toBe(file);
    expect(server.requests.length).toBe(1);
  });

  test('the file is never visible under its name until it is complete and verified', async () => {
    const visible: boolean[] = [];
    await resolveModel(NAME, options({ progress: (p) => !p.done && visible.push(fs.existsSync(target())) }));
    expect(visible.length).toBeGreaterThan(0);
    expect(visible.every((v) => !v)).toBe(true);
  });

  test('existing paths are returned as they are; missing paths and unknown names are E_FILE_NOT_FOUND', async () => {
    const local = path.join(home, 'mine.pt');
    fs.writeFileSync(local, 'x');
    expect(await resolveModel(local, options())).toBe(local);
    await expect(resolveModel(path.join(home, 'nope', 'x.pt'), options())).rejects.toMatchObject({ code: 'E_FILE_NOT_FOUND' });
    await expect(resolveModel('unknown.pt', { home, progress: false })).rejects.toMatchObject({
      code: 'E_FILE_NOT_FOUND',
      message: expect.stringContaining('FastSAM-s.pt, FastSAM-x.pt'),
    });
    expect(server.requests.length).toBe(0);
  });

  test('FASTSAM_HOME and FASTSAM_DOWNLOAD_BASE are honoured', async () => {
    const saved = { home: process.env.FASTSAM_HOME, base: process.env.FASTSAM_DOWNLOAD_BASE };
    process.env.FASTSAM_HOME = home;
    process.env.FASTSAM_DOWNLOAD_BASE = `${server.baseUrl}/`;
    try {
      expect(await resolveModel(NAME, { progress: false })).toBe(target());
    } finally {
      for (const [key, value] of [
        ['FASTSAM_HOME', saved.home],
        ['FASTSAM_DOWNLOAD_BASE', saved.base],
      ] as const) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  });

  test('concurrent callers share one download', async () => {
    const results = await Promise.all([resolveModel(NAME, options()), resolveModel(NAME, options()), resolveModel(NAME, options())]);
    expect(new Set(results)).toEqual(new Set([target()]));
    expect(server.requests.length).toBe(1);
  });

  test('a file put in the cache by hand is checked against the published digest of its name', async () => {
    fs.writeFileSync(path.join(home, 'FastSAM-s.pt'), 'not the real weights');
    await expect(resolveModel('FastSAM-s.pt', options())).rejects.toEqual(failure(/does not match the published SHA-256 of FastSAM-s\.pt/));
  });
});

describe('interruptions', () => {
  test('a dropped connection resumes with a Range request', async () => {
    server.plan = [{ cutAfter: 1_200_000 }];
    const file = await resolveModel(NAME, options());
    expect(fs.readFileSync(file).equals(PAYLOAD)).toBe(true);
    // (How much of the cut response arrives before the reset varies; the resume starts right there.)
    expect(server.requests.length).toBe(2);
    expect(server.requests[0].range).toBeUndefined();
    const resumedAt = Number(/^bytes=(\d+)-$/.exec(server.requests[1].range ?? '')?.[1]);
    expect(resumedAt).toBeGreaterThan(0);
    expect(resumedAt).toBeLessThanOrEqual(1_200_000);
    expect(server.requests[1].ifRange).toMatch(/^"/);
  });

  test('when retries run out the partial file is kept, and the next call resumes it', async () => {
    server.always = { cutAfter: 700_000 };
    await expect(resolveModel(NAME, options({ retries: 1 }))).rejects.toEqual(failure(/bytes are kept in .*\.part; run again to resume/));
    expect(fs.existsSync(target())).toBe(false);
    const kept = fs.statSync(`${target()}.part`).size;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(PAYLOAD.length);
    server.always = {};
    server.requests.length = 0;
    expect(fs.readFileSync(await resolveModel(NAME, options())).equals(PAYLOAD)).toBe(true);
    expect(server.requests[0].range).toBe(`bytes=${kept}-`);
    expect(fs.existsSync(`${target()}.part`)).toBe(false);
  });

  test('a server that ignores Range makes the download start over, still correct', async () => {
    server.plan = [{ cutAfter: 1_000_000 }, { ignoreRange: true }];
    expect(fs.readFileSync(await resolveModel(NAME, options())).equals(PAYLOAD)).toBe(true);
  });

  test('server errors (5xx) are retried', async () => {
    server.plan = [{ status: 503 }, { status: 500 }];
    expect(fs.readFileSync(await resolveModel(NAME, options())).equals(PAYLOAD)).toBe(true);
    expect(server.requests.length).toBe(3);
  });

  test('redirects are followed', async () => {
    server.redirects.set('/moved.pt', `/${NAME}`);
    const file = await resolveModel(`${server.baseUrl}/moved.pt`, options({ sha256: SHA }));
    expect(path.basename(file)).toBe('moved.pt');
    expect(fs.readFileSync(file).equals(PAYLOAD)).toBe(true);
  });
});

describe('slow and stalled servers', () => {
  test('a stalled transfer times out, is retried, and reports clearly when it never recovers', async () => {
    server.always = { stallAfter: 1000 };
    await expect(resolveModel(NAME, options({ timeoutMs: 300, retries: 1 }))).rejects.toEqual(
      failure(/no data from 127\.0\.0\.1:\d+ for 300 ms/),
    );
    expect(fs.existsSync(target())).toBe(false);
  });

  test('a slow but steady server is not a stalled one (the timeout is for idleness)', async () => {
    server.always = { trickle: { bytes: 200_000, everyMs: 60 } };
    expect(fs.readFileSync(await resolveModel(NAME, options({ timeoutMs: 400, retries: 0 }))).equals(PAYLOAD)).toBe(true);
  });
});

describe('wrong files are never kept', () => {
  test('a wrong SHA-256 is refused and the download removed', async () => {
    await expect(resolveModel(NAME, options({ sha256: '0'.repeat(64) }))).rejects.toEqual(failure(/SHA-256 mismatch/));
    expect(fs.readdirSync(home)).toEqual([]);
  });

  test('the published size of FastSAM-s.pt is checked before anything is downloaded', async () => {
    server.files.set('/FastSAM-s.pt', PAYLOAD);
    await expect(resolveModel('FastSAM-s.pt', options())).rejects.toEqual(
      failure(new RegExp(`offers ${PAYLOAD.length} bytes, but FastSAM-s\\.pt has ${KNOWN_MODELS['FastSAM-s.pt'].size}`)),
    );
    expect(fs.existsSync(path.join(home, 'FastSAM-s.pt'))).toBe(false);
  });

  test('a digest recorded at the first download is checked when the file is downloaded again', async () => {
    await resolveModel(NAME, options());
    fs.rmSync(target());
    const tampered = Buffer.from(PAYLOAD);
    tampered[12345] ^= 1;
    server.files.set(`/${NAME}`, tampered);
    await expect(resolveModel(NAME, options())).rejects.toEqual(failure(new RegExp(`expected ${SHA}`)));
    expect(fs.existsSync(target())).toBe(false);
  });

  test('a 404 fails at once and says where to put the file by hand', async () => {
    const promise = resolveModel('FastSAM-missing.pt', options());
    await expect(promise).rejects.toEqual(failure(/HTTP 404/));
    await expect(promise).rejects.toEqual(
      failure(new RegExp(`download ${server.baseUrl}/FastSAM-missing\\.pt .* put it at ${path.join(home, 'FastSAM-missing.pt')}`)),
    );
    expect(server.requests.length).toBe(1);
  });
});

describe('offline', () => {
  test('offline: no request, and the exact URL and path to use', async () => {
    const promise = resolveModel('FastSAM-x.pt', { home, offline: true, progress: false });
    await expect(promise).rejects.toEqual(
      failure(
        new RegExp(
          `downloads are off \\(offline\\)\\. To use it offline, download https://github\\.com/ultralytics/assets/releases/download/v8\\.2\\.0/FastSAM-x\\.pt .* put it at ${path.join(home, 'FastSAM-x.pt')}`,
        ),
      ),
    );
    expect(server.requests.length).toBe(0);
  });

  test('an unreachable server reads the same way', async () => {
    await server.close();
    const promise = resolveModel(NAME, options({ retries: 0 }));
    await expect(promise).rejects.toEqual(failure(/ECONNREFUSED.*To use it offline, download/));
    server = await startServer({});
  });
});

test('the progress line', () => {
  expect(formatProgress({ name: 'FastSAM-s.pt', received: 11_925_789, total: 23_851_578, bytesPerSecond: 5_200_000, done: false })).toBe(
    'Downloading FastSAM-s.pt  50% [############------------] 11.9/23.9 MB 5.2 MB/s',
  );
});

test('a cache folder that cannot be written is a typed error', async () => {
  const blocked = path.join(home, 'not-a-folder');
  fs.writeFileSync(blocked, 'a file where the cache folder should be');
  await expect(resolveModel(NAME, options({ home: blocked }))).rejects.toEqual(failure(/cannot store FastSAM-test\.pt in .*not-a-folder/));
});

describe('hostile servers and caches', () => {
  test('a transfer is stopped as soon as it passes the expected size (no Content-Length to refuse it early)', async () => {
    server.always = { noLength: 'chunked' };
    server.files.set(`/${NAME}`, Buffer.concat([PAYLOAD, PAYLOAD]));
    await expect(resolveModel(NAME, options({ size: PAYLOAD.length }))).rejects.toEqual(
      failure(new RegExp(`sent more than the ${PAYLOAD.length} bytes`)),
    );
    expect(fs.readdirSync(home)).toEqual([]);
  });

  test('with no size from anyone, maxBytes bounds the transfer', async () => {
    server.always = { noLength: 'chunked' };
    await expect(resolveModel(NAME, options({ maxBytes: 1_000_000 }))).rejects.toEqual(failure(/sent more than the 1000000 bytes/));
    expect(fs.readdirSync(home)).toEqual([]);
  });

  test('a file whose end cannot be told from a cut connection is not cached as trusted', async () => {
    server.always = { noLength: 'close' };
    await expect(resolveModel(NAME, options())).rejects.toEqual(failure(/neither how big .* nor where it ends; pass its size or SHA-256/));
    expect(fs.readdirSync(home)).toEqual([]);
    // With its digest it can be checked, so it is accepted.
    expect(fs.readFileSync(await resolveModel(NAME, options({ sha256: SHA }))).equals(PAYLOAD)).toBe(true);
  });

  test('chunked without a length is complete when the last chunk arrives', async () => {
    server.always = { noLength: 'chunked' };
    expect(fs.readFileSync(await resolveModel(NAME, options())).equals(PAYLOAD)).toBe(true);
  });

  test('a planted .part symlink is removed, never appended to or cached', async () => {
    const victim = path.join(home, '..', `victim-${path.basename(home)}`);
    fs.writeFileSync(victim, 'precious');
    try {
      fs.symlinkSync(victim, `${target()}.part`);
      fs.writeFileSync(`${target()}.part.json`, JSON.stringify({ url: `${server.baseUrl}/${NAME}` }));
      const file = await resolveModel(NAME, options());
      expect(fs.readFileSync(victim, 'utf8')).toBe('precious');
      expect(fs.lstatSync(file).isSymbolicLink()).toBe(false);
      expect(fs.readFileSync(file).equals(PAYLOAD)).toBe(true);
      expect(server.requests[0].range).toBeUndefined();
    } finally {
      fs.rmSync(victim, { force: true });
    }
  });

  test('a planted .part.json symlink is not written through', async () => {
    const victim = path.join(home, '..', `victim-json-${path.basename(home)}`);
    fs.writeFileSync(victim, 'precious');
    try {
      fs.symlinkSync(victim, `${target()}.part.json`);
      expect(fs.readFileSync(await resolveModel(NAME, options())).equals(PAYLOAD)).toBe(true);
      expect(fs.readFileSync(victim, 'utf8')).toBe('precious');
    } finally {
      fs.rmSync(victim, { force: true });
    }
  });

  test('a server trickling a byte every 300 ms meets the overall deadline', async () => {
    server.always = { trickle: { bytes: 1, everyMs: 300 } };
    const started = performance.now();
    await expect(resolveModel(NAME, options({ deadlineMs: 1500 }))).rejects.toEqual(failure(/gave up after the 1500 ms deadline/));
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  test("FASTSAM_DOWNLOAD_BASE='' and bad URLs are E_BAD_OPTION, not 'unset' or an untyped TypeError", async () => {
    const saved = process.env.FASTSAM_DOWNLOAD_BASE;
    process.env.FASTSAM_DOWNLOAD_BASE = '';
    try {
      await expect(resolveModel('FastSAM-s.pt', { home, progress: false })).rejects.toMatchObject({
        code: 'E_BAD_OPTION',
        message: 'FASTSAM_DOWNLOAD_BASE must be an http:// or https:// URL, got ""',
      });
    } finally {
      if (saved === undefined) delete process.env.FASTSAM_DOWNLOAD_BASE;
      else process.env.FASTSAM_DOWNLOAD_BASE = saved;
    }
    await expect(resolveModel('http://[::1/x.pt', options())).rejects.toMatchObject({
      code: 'E_BAD_OPTION',
      message: /a model URL must be/,
    });
    await expect(resolveModel(NAME, options({ baseUrl: 'ftp://example.com' }))).rejects.toMatchObject({ code: 'E_BAD_OPTION' });
    await expect(resolveModel(NAME, options({ timeoutMs: -1 }))).rejects.toMatchObject({
      code: 'E_BAD_OPTION',
      message: /timeoutMs must be/,
    });
    expect(server.requests.length).toBe(0);
  });
});

test('concurrent downloads racing on a stale lock still cache the right file once', async () => {
  const lock = `${target()}.lock`;
  fs.mkdirSync(lock);
  const old = new Date(Date.now() - 600_000);
  fs.utimesSync(lock, old, old);
  server.always = { trickle: { bytes: 500_000, everyMs: 20 } };
  const files = await Promise.all(Array.from({ length: 6 }, () => resolveModel(NAME, options())));
  expect(new Set(files)).toEqual(new Set([target()]));
  expect(fs.readFileSync(target()).equals(PAYLOAD)).toBe(true);
  expect(fs.readdirSync(home).sort()).toEqual([NAME, `${NAME}.sha256`]);
});

test('a download cut off by a crash is resumed from its working file by the next process', async () => {
  // What a process that died mid-download leaves: its own working file, named with its (gone) pid.
  const dead = 2 ** 22 + 12345;
  fs.writeFileSync(`${target()}.part.${dead}.0badcafe`, PAYLOAD.subarray(0, 1_000_000));
  fs.writeFileSync(`${target()}.part.${dead}.0badcafe.json`, JSON.stringify({ url: `${server.baseUrl}/${NAME}`, total: PAYLOAD.length }));
  expect(fs.readFileSync(await resolveModel(NAME, options())).equals(PAYLOAD)).toBe(true);
  expect(server.requests[0].range).toBe('bytes=1000000-');
  expect(fs.readdirSync(home).sort()).toEqual([NAME, `${NAME}.sha256`]);
});
