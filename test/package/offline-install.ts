/**
 * Installing a packed fastsam-node into a new app with npm itself, offline: the app gets a package-lock
 * cut from this repository's lockfile (the dependency closure of what the app asks for, at the same
 * versions and places), so `npm ci --offline` takes every tarball from npm's cache, which this
 * repository's own `npm ci` filled. The tarball under test is a `file:` dependency. No registry is
 * contacted, and the install runs exactly what npm would run for a user (install scripts included).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

interface LockEntry {
  version?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  dev?: boolean;
  devOptional?: boolean;
  peer?: boolean;
  [key: string]: unknown;
}

interface Lockfile {
  lockfileVersion: number;
  packages: Record<string, LockEntry>;
}

/** The registry's address of a package's tarball (what npm records as `resolved`). */
function registryTarball(name: string, version: string): string {
  return `https://registry.npmjs.org/${name}/-/${name.split('/').pop()}-${version}.tgz`;
}

/** Where `name` resolves from the package at `from` ('' = the root), walking up node_modules like Node. */
function resolveIn(packages: Record<string, LockEntry>, from: string, name: string): string | undefined {
  let base = from;
  for (;;) {
    const candidate = `${base ? `${base}/` : ''}node_modules/${name}`;
    if (packages[candidate]) return candidate;
    if (!base) return undefined;
    const up = base.lastIndexOf('/node_modules/');
    base = up < 0 ? '' : base.slice(0, up);
  }
}

/** Every lockfile path needed by `roots` (names resolved from the root), with its dependencies. */
function closure(packages: Record<string, LockEntry>, roots: string[]): Set<string> {
  const needed = new Set<string>();
  const queue: Array<{ from: string; name: string; optional: boolean }> = roots.map((name) => ({ from: '', name, optional: false }));
  while (queue.length > 0) {
    const { from, name, optional } = queue.shift()!;
    const at = resolveIn(packages, from, name);
    if (!at) {
      if (optional) continue; // an optional dependency for another platform, never locked here
      throw new Error(`${name} (needed by ${from || 'the app'}) is not in package-lock.json`);
    }
    if (needed.has(at)) continue;
    needed.add(at);
    const entry = packages[at];
    for (const dep of Object.keys(entry.dependencies ?? {})) queue.push({ from: at, name: dep, optional: false });
    for (const dep of Object.keys(entry.optionalDependencies ?? {})) queue.push({ from: at, name: dep, optional: true });
    for (const dep of Object.keys(entry.peerDependencies ?? {})) {
      queue.push({ from: at, name: dep, optional: entry.peerDependenciesMeta?.[dep]?.optional === true });
    }
  }
  return needed;
}

export interface ConsumerApp {
  /** The app's package.json dependencies. */
  dependencies: Record<string, string>;
}

/**
 * Writes package.json and package-lock.json of an app in `dir` that depends on the packed tarball and on
 * `alsoFromRepo` (packages this repository locks, e.g. typescript), all at this repository's versions;
 * `allowScripts` is the app's npm install-script policy.
 */
export function writeConsumerApp(
  dir: string,
  repoRoot: string,
  tarball: string,
  alsoFromRepo: string[],
  allowScripts: Record<string, boolean> = {},
): ConsumerApp {
  const lock = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package-lock.json'), 'utf8')) as Lockfile;
  const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
    name: string;
    version: string;
    dependencies: Record<string, string>;
    bin?: Record<string, string>;
    engines?: Record<string, string>;
    license?: string;
  };
  const tarballSpec = `file:${path.relative(dir, tarball)}`;
  const dependencies: Record<string, string> = { [manifest.name]: tarballSpec };
  for (const name of alsoFromRepo) {
    const version = lock.packages[`node_modules/${name}`]?.version;
    if (!version) throw new Error(`${name} is not in package-lock.json`);
    dependencies[name] = version;
  }

  const packages: Record<string, LockEntry> = {
    '': { name: 'fastsam-consumer', version: '1.0.0', dependencies },
    [`node_modules/${manifest.name}`]: {
      version: manifest.version,
      resolved: tarballSpec,
      license: manifest.license,
      dependencies: manifest.dependencies,
      ...(manifest.bin ? { bin: manifest.bin } : {}),
      ...(manifest.engines ? { engines: manifest.engines } : {}),
    },
  };
  for (const at of closure(lock.packages, [...Object.keys(manifest.dependencies), ...alsoFromRepo])) {
    // In this repository some of these are development tools; in the app they are plain dependencies.
    const { dev: _dev, devOptional: _devOptional, peer: _peer, ...entry } = lock.packages[at];
    // With a tarball address and its integrity npm reads the tarball straight from its cache; without an
    // address it would first ask the registry for the package's metadata, which is not cached.
    packages[at] = {
      resolved: entry.resolved ?? registryTarball(at.slice(at.lastIndexOf('node_modules/') + 13), entry.version!),
      ...entry,
    };
  }

  fs.writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify({ name: 'fastsam-consumer', version: '1.0.0', private: true, dependencies, allowScripts }, null, 2),
  );
  fs.writeFileSync(
    path.join(dir, 'package-lock.json'),
    JSON.stringify({ name: 'fastsam-consumer', version: '1.0.0', lockfileVersion: 3, requires: true, packages }, null, 2),
  );
  return { dependencies };
}
