/**
 * The API reference (typedoc.json, `npm run docs`) documents every export of the three entry points, and
 * its validation is a gate: an undocumented export, or a public signature naming a type the reference
 * cannot show, is a warning, and warnings fail the build. Validation only (--emit none): the HTML render
 * adds time and checks nothing more. TypeDoc runs as its CLI in a child: it is an ES module.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const TYPEDOC = path.join(path.dirname(require.resolve('typedoc/package.json')), 'bin', 'typedoc');

function typedoc(options: string) {
  const run = spawnSync(process.execPath, [TYPEDOC, '--options', options, '--emit', 'none'], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 170_000,
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
  });
  return { code: run.status, output: `${run.stdout}${run.stderr}` };
}

test('every export of fastsam-node, fastsam-node/serve and fastsam-node/queue is documented', () => {
  const { code, output } = typedoc(path.join(ROOT, 'typedoc.json'));
  if (code !== 0 || /warning|error/i.test(output)) {
    throw new Error(`npm run docs would fail: document what TypeDoc names (TSDoc comments in lib/):\n${output}`);
  }
}, 180_000);

test('the same settings refuse an undocumented export', () => {
  // A one-file project under the repository's settings: proves the gate can fail, not only that it passes.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fastsam-typedoc-'));
  try {
    fs.writeFileSync(
      path.join(dir, 'index.ts'),
      '/** Documented. */\nexport const one = 1;\nexport function undocumented(): number {\n  return 2;\n}\n',
    );
    fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true }, files: ['index.ts'] }));
    // Its own entry point and tsconfig over the repository's options (a --tsconfig argument would not win).
    const options = {
      extends: [path.join(ROOT, 'typedoc.json')],
      entryPoints: ['index.ts'],
      tsconfig: 'tsconfig.json',
      intentionallyNotExported: [],
    };
    fs.writeFileSync(path.join(dir, 'typedoc.json'), JSON.stringify(options));
    const { code, output } = typedoc(path.join(dir, 'typedoc.json'));
    expect(code).not.toBe(0);
    expect(output).toMatch(/undocumented \(CallSignature\).*does not have any documentation/);
    expect(output).not.toMatch(/\bone\b.*does not have any documentation/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
