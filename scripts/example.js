#!/usr/bin/env node
/**
 * npm run example -- NAME [ARGS...]: runs examples/NAME.ts with tsx in the folder npm was started from,
 * as a user would run the copied file. Its `import ... from 'fastsam-node'` is this package itself
 * (Node's self-reference through the exports map), so it runs dist/: build first (npm run build:ts).
 * Without a NAME, lists the examples.
 */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { pathToFileURL } = require('node:url');

const root = path.resolve(__dirname, '..');
const dir = path.join(root, 'examples');
const names = fs
  .readdirSync(dir)
  .filter((file) => file.endsWith('.ts'))
  .map((file) => file.slice(0, -3));
const [name, ...args] = process.argv.slice(2);

if (!name || !names.includes(name.replace(/\.ts$/, ''))) {
  if (name) console.error(`no example named ${name}`);
  console.error(`usage: npm run example -- NAME [ARGS...]; examples (see examples/README.md):\n  ${names.join('\n  ')}`);
  process.exit(name ? 2 : 0);
}
if (!fs.existsSync(path.join(root, 'dist', 'index.js'))) {
  console.error('the examples import the built package: run npm run build:ts (or node scripts/ensure-built.js) first');
  process.exit(2);
}
const tsx = pathToFileURL(require.resolve('tsx')).href;
const file = path.join(dir, `${name.replace(/\.ts$/, '')}.ts`);
const run = spawnSync(process.execPath, ['--import', tsx, file, ...args], { stdio: 'inherit', cwd: process.env.INIT_CWD ?? process.cwd() });
if (run.error) throw run.error;
process.exit(run.status ?? 1);
