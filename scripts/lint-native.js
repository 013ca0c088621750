#!/usr/bin/env node
/**
 * clang-format check of the C++ and CUDA in native/ (style in .clang-format). CI installs clang-format
 * (.ci/run); where it is missing this says so and skips, rather than failing a plain `npm test`.
 */
const { execFileSync, spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const fix = process.argv.includes('--fix');
if (spawnSync('clang-format', ['--version']).status !== 0) {
  console.warn('lint-native: clang-format is not installed (apt-get install clang-format): C++ formatting not checked');
  process.exit(0);
}
const files = execFileSync('git', ['ls-files', 'native/*.cc', 'native/*.h', 'native/*.cu', 'native/*.cuh'], { cwd: root, encoding: 'utf8' })
  .split('\n')
  .filter(Boolean);
const args = fix ? ['-i', ...files] : ['--dry-run', '--Werror', ...files];
const result = spawnSync('clang-format', args, { cwd: root, stdio: 'inherit' });
if (result.status !== 0) {
  console.error('lint-native: run `npm run lint:fix` to format native/');
  process.exit(1);
}
