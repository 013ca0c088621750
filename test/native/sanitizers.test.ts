/**
 * Runs scripts/native-sanitize.sh: the core's doctest suite (native/tests/core/) under ASan +
 * UBSan, then under valgrind where installed. Memory errors and undefined behaviour on odd inputs
 * (NaN boxes, 1x1 images, 2x2 prototypes) would not show up as wrong numbers in the JS tests, so they
 * are checked here. Needs a C++ compiler (CXX, default g++); skips, saying so, without one.
 */
import { spawnSync } from 'child_process';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '../..');
const SCRIPT = path.join(ROOT, 'scripts', 'native-sanitize.sh');
const CXX = process.env.CXX || 'g++';

function hasProgram(program: string): boolean {
  return !spawnSync(program, ['--version'], { stdio: 'ignore' }).error;
}

const runnable = process.platform !== 'win32' && hasProgram('bash') && hasProgram(CXX);
if (!runnable) console.warn(`skipping native sanitizer tests: needs bash and a C++ compiler (${CXX})`);
const describeIfCompiler = runnable ? describe : describe.skip;

describeIfCompiler('native core under sanitizers', () => {
  // Two builds compile side by side (~20 s on 2 cores), then the test runs natively and under valgrind.
  test('the core tests pass under ASan + UBSan and valgrind', () => {
    const run = spawnSync('bash', [SCRIPT], { cwd: ROOT, encoding: 'utf8', timeout: 240_000 });
    const output = `${run.stdout ?? ''}${run.stderr ?? ''}`;
    if (run.status !== 0) throw new Error(`native-sanitize.sh exited with ${run.status ?? run.signal}:\n${output}`);
    expect(output).toContain('native sanitizer checks passed');
  }, 300_000);
});
