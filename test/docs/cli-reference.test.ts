/**
 * docs/cli.md is generated from the CLI's key schemas (scripts/docs/cli-reference.ts): the committed page
 * must be what the generator makes now, so a key, default or help text changed in lib/ without
 * `npm run docs` fails here. The generator runs in a child (tsx): prettier, which formats the page, loads
 * ES modules that jest's CommonJS runtime cannot.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { COMMANDS } from '../../lib/cli';

const ROOT = path.resolve(__dirname, '../..');
const PAGE = path.join(ROOT, 'docs/cli.md');

function generate(): string {
  const run = spawnSync(process.execPath, [require.resolve('tsx/cli'), 'scripts/docs/cli-reference.ts', '--stdout'], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (run.status !== 0) throw new Error(`scripts/docs/cli-reference.ts failed (${run.status ?? run.signal}): ${run.stderr}`);
  return run.stdout;
}

let generated: string;
beforeAll(() => {
  generated = generate();
});

test('docs/cli.md is what the key schemas generate', () => {
  const expected = generated;
  const committed = fs.existsSync(PAGE) ? fs.readFileSync(PAGE, 'utf8') : '';
  if (committed !== expected) {
    const lines = [committed.split('\n'), expected.split('\n')];
    const at = lines[1].findIndex((line, i) => line !== lines[0][i]);
    throw new Error(
      `docs/cli.md is out of date: run \`npm run docs\` (or npm run docs:cli) and commit it.\n` +
        `First difference at line ${at + 1}:\n  committed: ${lines[0][at] ?? '(end of file)'}\n  generated: ${lines[1][at]}`,
    );
  }
});

test('the page names every command and every key of the CLI', () => {
  // Guards the generator itself: a command or key it dropped would also be missing from a fresh page.
  const page = generated;
  for (const { schema } of Object.values(COMMANDS)) {
    expect(page).toContain(`## fastsam ${schema.name}\n`);
    const section = page.slice(page.indexOf(`## fastsam ${schema.name}\n`)).split('\n## ')[0];
    for (const key of Object.keys(schema.keys)) expect(section).toContain(`| \`${key}\``);
    for (const flag of Object.keys(schema.flags)) expect(section).toContain(`| \`--${flag}\``);
    expect(section).toMatch(new RegExp(`Examples?:\\n\\n\`\`\`sh\\n(fastsam ${schema.name} .*\\n)+\`\`\`\\n*$`));
  }
});
