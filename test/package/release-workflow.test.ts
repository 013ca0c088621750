/**
 * The release workflow cannot run here (no GitHub runners, no TensorRT), so what can be checked is:
 * it parses, its jobs hang together (needs, artifact names, the platforms the package job insists on are
 * the ones the matrix builds), and every file and prebuild target it names exists. Its schema was
 * checked with @action-validator/cli (see the README).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';

const root = path.resolve(__dirname, '../..');
const workflowFile = path.join(root, '.github/workflows/release.yml');

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, string | boolean>;
}
interface Job {
  needs?: string[];
  strategy?: { matrix: { include: Array<Record<string, string>> } };
  steps: Step[];
}
const workflow = parse(fs.readFileSync(workflowFile, 'utf8')) as { on: unknown; jobs: Record<string, Job> };
const jobs = workflow.jobs;
const runs = Object.values(jobs).flatMap((job) => job.steps.map((step) => step.run ?? ''));

test('its jobs are the prebuilds, the GPU addon and the package, which needs both', () => {
  expect(Object.keys(jobs).sort()).toEqual(['gpu', 'package', 'prebuild']);
  expect(jobs.package.needs).toEqual(['prebuild', 'gpu']);
  expect(workflow.on).toMatchObject({ push: { tags: ['v*'] } });
});

test('the package job checks exactly the platforms the matrix builds, and collects every artifact', () => {
  const built = jobs.prebuild.strategy!.matrix.include.flatMap((entry) => entry.platforms.split(','));
  const verify = runs.map((run) => /prebuild\.js --verify (\S+)/.exec(run)?.[1]).find((list) => list && list.split(',').length > 2);
  expect(verify!.split(',').sort()).toEqual(built.sort());
  expect(built).toEqual(expect.arrayContaining(['linux-x64', 'linux-arm64', 'darwin-arm64', 'darwin-x64', 'win32-x64']));
  const uploads = ['prebuild', 'gpu'].flatMap((name) => jobs[name].steps.filter((s) => s.uses?.startsWith('actions/upload-artifact')));
  const download = jobs.package.steps.find((s) => s.uses?.startsWith('actions/download-artifact'))!;
  const pattern = new RegExp(`^${String(download.with!.pattern).replace('*', '.*')}$`);
  for (const upload of uploads) expect(String(upload.with!.name)).toMatch(pattern);
  expect(download.with).toMatchObject({ path: 'prebuilds', 'merge-multiple': true });
});

test('every script, test, Dockerfile and prebuild target it names exists', () => {
  const files = new Set<string>();
  for (const run of runs) {
    for (const match of run.matchAll(/(?:^|[\s'"])((?:scripts|test|\.github)\/[\w./-]+)/g)) files.add(match[1]);
  }
  for (const entry of jobs.prebuild.strategy!.matrix.include) {
    for (const test of entry.tests.split(' ')) files.add(test);
  }
  expect(files.size).toBeGreaterThan(5);
  expect([...files].filter((file) => !fs.existsSync(path.join(root, file)))).toEqual([]);
  const prebuildScript = fs.readFileSync(path.join(root, 'scripts/prebuild.js'), 'utf8');
  const targets = jobs.prebuild.strategy!.matrix.include.flatMap((entry) => entry.targets.split(' '));
  for (const target of [...targets, 'gpu']) expect(prebuildScript).toContain(`'${target}'`);
});

test("the GPU image builds from NVIDIA's TensorRT container and adds Node", () => {
  const dockerfile = fs.readFileSync(path.join(root, '.github/docker/tensorrt.Dockerfile'), 'utf8');
  expect(dockerfile).toMatch(/^ARG TRT10_IMAGE=nvcr\.io\/nvidia\/tensorrt:/m);
  expect(dockerfile).toMatch(/^FROM \$\{TRT10_IMAGE\}$/m);
  expect(dockerfile).toMatch(/^COPY --from=node \/usr\/local\/bin\/node /m);
});
