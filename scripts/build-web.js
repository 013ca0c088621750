#!/usr/bin/env node
/**
 * Builds the web demo into dist/web, at package build time (users never build it): the page and its
 * style as they are, the script bundled by esbuild (lib/serve/web/main.ts with the prompt rules, the mask
 * frame and the RLE codec it shares with Node), and the sample images rasterised from the project's own
 * SVG drawings with sharp. `--if-stale` rebuilds only when a source is newer than the bundle.
 */
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const source = path.join(root, 'lib', 'serve', 'web');
const out = path.join(root, 'dist', 'web');

/** Everything the bundle is made of: the page's folder and the library files it imports. */
const SOURCES = [
  'lib/serve/web',
  'lib/prompts',
  'lib/masks/mask-frame.ts',
  'lib/val/coco/rle.ts',
  'lib/formats/segment-answer.ts',
  'scripts/build-web.js',
];

function newest(entry) {
  const full = path.join(root, entry);
  if (!fs.existsSync(full)) return 0;
  const stat = fs.statSync(full);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...fs.readdirSync(full).map((child) => newest(path.join(entry, child))));
}

function isStale() {
  const bundle = path.join(out, 'app.js');
  return !fs.existsSync(bundle) || fs.statSync(bundle).mtimeMs < Math.max(...SOURCES.map(newest));
}

async function buildWeb() {
  const esbuild = require('esbuild');
  const sharp = require('sharp');
  // Build beside the target and swap it in, so a server reading dist/web never sees half a build.
  const staging = `${out}.tmp-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(path.join(staging, 'samples'), { recursive: true });
  await esbuild.build({
    entryPoints: [path.join(source, 'main.ts')],
    outfile: path.join(staging, 'app.js'),
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: ['chrome100', 'firefox100', 'safari15'],
    minify: true,
    sourcemap: 'linked',
    legalComments: 'none',
    logLevel: 'warning',
  });
  fs.copyFileSync(path.join(source, 'index.html'), path.join(staging, 'index.html'));
  fs.copyFileSync(path.join(source, 'style.css'), path.join(staging, 'app.css'));
  const samples = [];
  for (const file of fs
    .readdirSync(path.join(source, 'samples'))
    .filter((f) => f.endsWith('.svg'))
    .sort()) {
    const name = `${path.parse(file).name}.jpg`;
    await sharp(path.join(source, 'samples', file), { density: 72 })
      .flatten({ background: '#ffffff' })
      .jpeg({ quality: 90 })
      .toFile(path.join(staging, 'samples', name));
    samples.push({ file: name, title: path.parse(file).name.replace(/^./, (c) => c.toUpperCase()) });
  }
  fs.writeFileSync(path.join(staging, 'samples', 'samples.json'), JSON.stringify(samples));
  const old = `${out}.old-${process.pid}`;
  if (fs.existsSync(out)) fs.renameSync(out, old);
  fs.renameSync(staging, out);
  fs.rmSync(old, { recursive: true, force: true });
}

/** Builds when a source is newer than the bundle (tests and `npm test` call this). */
async function buildWebIfStale() {
  if (isStale()) await buildWeb();
}

module.exports = { buildWeb, buildWebIfStale, WEB_OUT: out };

if (require.main === module) {
  (process.argv.includes('--if-stale') ? buildWebIfStale() : buildWeb()).catch((error) => {
    console.error(`build-web: ${error.message}`);
    process.exitCode = 1;
  });
}
