/**
 * The prompt rules bundle for the browser as they are (rules.ts' contract): esbuild with platform
 * 'browser' finds nothing to resolve outside the pure files, and the bundle runs in a bare JS realm (no
 * require, no process, no Buffer) and answers as in Node.
 */
import * as path from 'node:path';
import * as vm from 'node:vm';

const ROOT = path.resolve(__dirname, '../..');

let esbuild: typeof import('esbuild') | undefined;
try {
  esbuild = require('esbuild') as typeof import('esbuild'); // eslint-disable-line @typescript-eslint/no-require-imports -- optional: skip without it
} catch {
  console.warn('skipping the browser bundle test: esbuild is not installed');
}
const describeIfEsbuild = esbuild ? describe : describe.skip;

describeIfEsbuild('lib/prompts bundled for the browser', () => {
  test('bundles from pure files only and selects in a bare realm', () => {
    const built = esbuild!.buildSync({
      stdin: {
        contents: [
          "export * from './lib/prompts/rules';",
          "export * from './lib/prompts/bitmaps';",
          "export * from './lib/prompts/check-prompts';",
        ].join('\n'),
        resolveDir: ROOT,
        loader: 'ts',
      },
      bundle: true,
      platform: 'browser',
      format: 'iife',
      globalName: 'prompts',
      write: false,
      metafile: true,
    });
    const inputs = Object.keys(built.metafile!.inputs).filter((f) => f !== '<stdin>');
    expect(inputs.sort()).toEqual(
      [
        'lib/errors.ts',
        'lib/masks/mask-frame.ts',
        'lib/options/check.ts',
        'lib/prompts/bitmaps.ts',
        'lib/prompts/check-prompts.ts',
        'lib/prompts/rules.ts',
        'lib/round.ts',
      ].sort(),
    );
    const realm = vm.createContext({});
    vm.runInContext(built.outputFiles[0].text, realm);
    const answer = vm.runInContext(
      `(() => {
        const frame = { shape: [10, 10], origShape: [10, 10], gain: 1, padX: 0, padY: 0 };
        const big = { x: 0, y: 0, width: 8, height: 8, data: new Uint8Array(64).fill(1) };
        const small = { x: 2, y: 2, width: 2, height: 2, data: new Uint8Array(4).fill(1) };
        const plan = prompts.planBoxes(prompts.checkBoxes([2, 2, 4, 4]), frame);
        let code;
        try { prompts.checkPoints(null); } catch (e) { code = e.code; }
        return JSON.stringify({ picked: prompts.selectByBoxes(plan, prompts.measureBitmaps([big, small], plan)), code });
      })()`,
      realm,
    ) as string;
    expect(JSON.parse(answer)).toEqual({ picked: [1], code: 'E_BAD_PROMPT' });
  });
});
