/**
 * The folder that documentation blocks and examples run in, as a user's project would look (the
 * convention of the docs work, issue 18):
 *
 *   FastSAM-s.pt, FastSAM-s.onnx   the shared random-weight FastSAM-s (checkpoint and 640 ONNX export)
 *   image.jpg                      the shared bus.jpg
 *   images/                        the coco8-seg val images
 *   node_modules/fastsam-node      this repository, so 'fastsam-node', 'fastsam-node/serve' and
 *                                  'fastsam-node/queue' resolve through its exports map to dist/
 *   node_modules/.bin/fastsam      the repository's CLI (dist/cli), so `npx fastsam` runs it; also first
 *                                  on the PATH, with tsx beside it
 *
 * Files are symbolic links into ../shared (read, never written); images/ is a folder of links, so a
 * block may add files to it.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from './processes';
import { hasShared, sharedPath } from './shared';

const LINKS: Record<string, string> = {
  'FastSAM-s.pt': 'models/FastSAM-s-random.pt',
  'FastSAM-s.onnx': 'models/FastSAM-s-random-640.onnx',
  'image.jpg': 'data/images/bus.jpg',
};
const IMAGES = 'data/coco8-seg/images/val';

/** The ../shared files the fixture folder needs. */
export const DOC_FIXTURE_SHARED = [...Object.values(LINKS), IMAGES];

export const hasDocFixtures = (): boolean => DOC_FIXTURE_SHARED.every((file) => hasShared(file));

/** The repository's CLI, as `npx fastsam` and `fastsam` run it. */
export const CLI = path.join(REPO_ROOT, 'dist/cli/index.js');

function shim(file: string, script: string): void {
  fs.writeFileSync(file, `#!/bin/sh\nexec "${process.execPath}" "${script}" "$@"\n`, { mode: 0o755 });
}

/** A fresh temporary folder laid out as above; remove it with fs.rmSync(dir, { recursive: true }). */
export function makeDocFixtureDir(prefix = 'fastsam-docs-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  for (const [name, shared] of Object.entries(LINKS)) fs.symlinkSync(sharedPath(shared), path.join(dir, name));
  fs.mkdirSync(path.join(dir, 'images'));
  for (const image of fs.readdirSync(sharedPath(IMAGES))) {
    fs.symlinkSync(sharedPath(IMAGES, image), path.join(dir, 'images', image));
  }
  const bin = path.join(dir, 'node_modules', '.bin');
  fs.mkdirSync(bin, { recursive: true });
  fs.symlinkSync(REPO_ROOT, path.join(dir, 'node_modules', 'fastsam-node'), 'dir');
  shim(path.join(bin, 'fastsam'), CLI);
  shim(path.join(bin, 'tsx'), path.join(path.dirname(require.resolve('tsx/package.json')), 'dist', 'cli.mjs'));
  return dir;
}

/**
 * The environment to run in a fixture folder: its bin first on the PATH, models cached in `cacheHome`
 * (FASTSAM_HOME: a .pt exported once serves every run), and npm kept offline so that `npx` never
 * downloads a package of the same name.
 */
export function docEnv(dir: string, cacheHome: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PATH: `${path.join(dir, 'node_modules', '.bin')}${path.delimiter}${process.env.PATH ?? ''}`,
    FASTSAM_HOME: cacheHome,
    npm_config_offline: 'true',
    npm_config_update_notifier: 'false',
    NO_COLOR: '1',
  };
}
