/**
 * The core prebuilds in prebuilds/ (scripts/prebuild.js): each is an N-API addon for the CPU its folder
 * names, stripped, and depending only on the C and C++ runtimes (never on CUDA or TensorRT, so it loads on
 * any Linux machine), with the oldest glibc and libstdc++ it needs reported.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { machineOf } = require('../../scripts/prebuild-machine') as { machineOf: (file: string) => { format: string; cpu?: string } };

const root = path.resolve(__dirname, '../..');
const prebuilds = path.join(root, 'prebuilds');
const linuxAddons = fs.existsSync(prebuilds)
  ? fs
      .readdirSync(prebuilds)
      .filter((dir) => dir.startsWith('linux-'))
      .flatMap((dir) =>
        fs
          .readdirSync(path.join(prebuilds, dir))
          .filter((f) => f.endsWith('.node'))
          .map((f) => path.join(dir, f)),
      )
  : [];
const readelf = spawnSync('readelf', ['--version']).status === 0;
if (linuxAddons.length === 0 || !readelf)
  console.warn('skipping the prebuild checks: no Linux prebuilds (node scripts/ensure-built.js) or no readelf');

const CPUS: Record<string, string> = { x64: 'x86-64', arm64: 'aarch64' };
const RUNTIMES = /^(libstdc\+\+\.so\.6|libm\.so\.6|libgcc_s\.so\.1|libc\.so\.6|libpthread\.so\.0|libdl\.so\.2|ld-linux-[\w-]+\.so\.\d)$/;

(linuxAddons.length > 0 && readelf ? describe : describe.skip)('core prebuilds', () => {
  test.each(linuxAddons)('%s: its CPU, stripped, C/C++ runtimes only', (addon) => {
    const file = path.join(prebuilds, addon);
    expect(machineOf(file).cpu).toBe(CPUS[addon.split('/')[0].split('-')[1]]);
    expect(addon).toMatch(/\.glibc\.node$/); // never chosen on musl, where it would not load
    const sections = spawnSync('readelf', ['-S', '--wide', file], { encoding: 'utf8' }).stdout;
    expect(sections).not.toMatch(/\.symtab/);
    const dynamic = spawnSync('readelf', ['-d', '--wide', file], { encoding: 'utf8' }).stdout;
    const needed = [...dynamic.matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1]);
    expect(needed.filter((lib) => !RUNTIMES.test(lib))).toEqual([]);
    // The oldest C library and C++ runtime it runs with (newest symbol versions it asks for).
    const versions = spawnSync('readelf', ['-V', '--wide', file], { encoding: 'utf8' }).stdout;
    const newest = (prefix: string) =>
      [...versions.matchAll(new RegExp(`Name: ${prefix}_([\\d.]+)`, 'g'))]
        .map((m) => m[1])
        .sort((a, b) => a.localeCompare(b, undefined, { numeric: true }))
        .pop();
    console.log(`${addon}: needs glibc ${newest('GLIBC')}, libstdc++ ${newest('GLIBCXX')}`);
    expect(Number(newest('GLIBC')?.split('.')[1])).toBeLessThanOrEqual(28); // runs on Debian 10 / Ubuntu 18.04 and newer
  });
});
