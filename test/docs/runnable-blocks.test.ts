/**
 * Every code block of README.md and docs/**\/*.md whose fence says `ts runnable`, `js runnable` or
 * `sh runnable` is run, one test per block named FILE:LINE, failing with what the block printed.
 *
 * Each block runs in a fresh temporary folder laid out as a user's project (test/helpers/doc-fixtures.ts:
 * FastSAM-s.pt and FastSAM-s.onnx, image.jpg, images/, node_modules/fastsam-node; `npx fastsam` is this
 * repository's CLI). `ts` and `js` blocks run with tsx as ES modules (the folder's package.json says
 * "type": "module", so top-level await works), or as CommonJS when they use require() and no
 * import/export; `sh` blocks run with `bash -e`. A block has 120 s unless its fence says `timeout=SECONDS`
 * (```sh runnable timeout=300); when it ends or times out, everything it started is killed. Models
 * exported from .pt are cached for the whole file (FASTSAM_HOME), so only the first block pays for it.
 * A failing block's folder is kept, and named in the failure, for a look.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CLI, DOC_FIXTURE_SHARED, docEnv, hasDocFixtures, makeDocFixtureDir } from '../helpers/doc-fixtures';
import { describeRun, killProcessGroupsAfterAll, REPO_ROOT, run, tsxArgs } from '../helpers/processes';
import { type RunnableBlock, scanDocumentation, scanMarkdown } from './markdown-blocks';

const DEFAULT_TIMEOUT_S = 120;

killProcessGroupsAfterAll();

/** CommonJS when the block require()s and neither imports nor exports; else an ES module. */
function fileName(block: Pick<RunnableBlock, 'lang' | 'code'>): string {
  if (block.lang === 'sh') return 'block.sh';
  const commonJs = /\brequire\(/.test(block.code) && !/^\s*(import|export)\b/m.test(block.code);
  return `block.${block.lang === 'ts' ? (commonJs ? 'cts' : 'ts') : commonJs ? 'cjs' : 'js'}`;
}

let cacheHome = '';
beforeAll(() => {
  cacheHome = fs.mkdtempSync(path.join(os.tmpdir(), 'fastsam-docs-cache-'));
});
afterAll(() => {
  if (cacheHome) fs.rmSync(cacheHome, { recursive: true, force: true });
});

async function runBlock(block: Pick<RunnableBlock, 'lang' | 'code' | 'timeout'>, where: string): Promise<void> {
  const dir = makeDocFixtureDir('fastsam-block-');
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ private: true, type: 'module' }));
  const file = path.join(dir, fileName(block));
  fs.writeFileSync(file, block.code);
  const [command, args] = block.lang === 'sh' ? ['bash', ['-e', file]] : [process.execPath, tsxArgs(file)];
  const timeoutS = block.timeout ?? DEFAULT_TIMEOUT_S;
  const end = await run(command, args, { cwd: dir, env: docEnv(dir, cacheHome), timeoutMs: timeoutS * 1000 });
  if (end.code === 0 && !end.timedOut) {
    fs.rmSync(dir, { recursive: true, force: true });
    return;
  }
  const why = end.timedOut ? `ran past its ${timeoutS} s` : 'failed';
  throw new Error(`${where} (${block.lang} runnable) ${why}; its folder is kept: ${dir}\n${describeRun(end)}`);
}

describe('finding the runnable blocks', () => {
  test('fences marked runnable are found where a renderer sees them, with their line and timeout', () => {
    const text = [
      '# Title', // line 1
      '',
      '```ts runnable', // line 3
      'const a: number = await Promise.resolve(1);',
      '```',
      '',
      '```sh', // line 7: not marked
      'echo no',
      '```',
      '',
      '1. In a list:', // line 11
      '',
      '   ~~~sh runnable timeout=300', // line 13
      '   echo yes',
      '   ~~~',
      '',
      '````md', // line 17: a fence shown inside a longer one is text
      '```js runnable',
      'no()',
      '```',
      '````',
      '',
      '> ```js  runnable', // line 23
      '> console.log(1);',
      '> ```',
      '',
      '```python runnable', // line 27
      'print(1)',
      '```',
      '',
      '```ts runnable fast', // line 31
      '```',
    ].join('\n');
    const scan = scanMarkdown('doc.md', text);
    expect(scan.blocks).toEqual([
      { file: 'doc.md', line: 3, lang: 'ts', code: 'const a: number = await Promise.resolve(1);\n' },
      { file: 'doc.md', line: 13, lang: 'sh', code: 'echo yes\n', timeout: 300 },
      { file: 'doc.md', line: 23, lang: 'js', code: 'console.log(1);\n' },
      { file: 'doc.md', line: 31, lang: 'ts', code: '' },
    ]);
    expect(scan.problems).toEqual([
      'doc.md:27: "python" blocks cannot be run (runnable is for ts, js, sh)',
      'doc.md:31: unknown word "fast" in the info string (known: runnable, timeout=SECONDS)',
    ]);
  });

  test('every block marked runnable in README.md and docs/ can be run as written', () => {
    expect(scanDocumentation(REPO_ROOT).problems).toEqual([]);
  });
});

const { blocks } = scanDocumentation(REPO_ROOT);
const ready = fs.existsSync(CLI) && hasDocFixtures();
const skipReason = !fs.existsSync(CLI) ? 'dist/ is not built' : `../shared lacks one of ${DOC_FIXTURE_SHARED.join(', ')}`;
if (!ready) console.warn(`skipping the runnable documentation blocks: ${skipReason}`);
const maybe = ready ? test : test.skip;

describe(ready ? 'runnable blocks' : `runnable blocks (skipped: ${skipReason})`, () => {
  // The folder itself, so that a block failing for want of what the convention promises is told apart.
  maybe(
    'the folder gives blocks the models, images, the package and `npx fastsam`',
    async () => {
      const imports = [
        "import { FastSAM } from 'fastsam-node';",
        "import { createServer } from 'fastsam-node/serve';",
        "import { FastSAMQueue } from 'fastsam-node/queue';",
        "if (typeof FastSAM.load !== 'function' || typeof createServer !== 'function' || typeof FastSAMQueue !== 'function') throw new Error('missing exports');",
      ].join('\n');
      await runBlock({ lang: 'ts', code: imports }, 'harness');
      const sh =
        'test -f FastSAM-s.pt && test -f FastSAM-s.onnx && test -f image.jpg && ls images/*.jpg\nnpx fastsam info model=FastSAM-s.onnx | grep -q "task: \\"fastsam\\""\n';
      await runBlock({ lang: 'sh', code: sh }, 'harness');
    },
    60_000,
  );

  for (const block of blocks) {
    const where = `${block.file}:${block.line}`;
    maybe(`${where} (${block.lang})`, () => runBlock(block, where), ((block.timeout ?? DEFAULT_TIMEOUT_S) + 30) * 1000);
  }
});
