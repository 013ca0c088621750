/**
 * Ultralytics dataset YAML (`path`, `train`, `val`, `test`, `names`) and image lists, read as
 * check_det_dataset / get_img_files read them. One deliberate difference: a relative `path` is resolved
 * against the YAML file's folder (Ultralytics uses its global datasets folder).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { FastSAMError, messageOf } from '../../errors';

export const IMG_FORMATS = new Set(['bmp', 'dng', 'jpeg', 'jpg', 'mpo', 'png', 'tif', 'tiff', 'webp', 'pfm']);

export interface DataConfig {
  yamlFile: string;
  /** The dataset root (`path`), absolute. */
  root: string;
  names: Record<number, string>;
  nc: number;
  /** Each split's sources (folders, list files), absolute; absent when the YAML leaves it out. */
  splits: Partial<Record<'train' | 'val' | 'test', string[]>>;
}

function bad(message: string): never {
  throw new FastSAMError('E_BAD_OPTION', message);
}

function readNames(raw: unknown, nc: unknown, file: string): Record<number, string> {
  if (raw === undefined || raw === null) {
    if (typeof nc !== 'number' || !Number.isInteger(nc) || nc < 1) bad(`${file}: needs 'names' (or 'nc')`);
    return Object.fromEntries(Array.from({ length: nc }, (_, i) => [i, `class_${i}`]));
  }
  if (Array.isArray(raw)) return Object.fromEntries(raw.map((n, i) => [i, String(n)]));
  if (typeof raw === 'object') {
    const entries = Object.entries(raw as Record<string, unknown>).map(([k, v]) => [Number(k), String(v)] as const);
    if (entries.some(([k]) => !Number.isInteger(k) || k < 0)) bad(`${file}: 'names' keys must be class indices 0, 1, ...`);
    const names = Object.fromEntries(entries);
    const n = entries.length;
    for (let i = 0; i < n; i++) if (!(i in names)) bad(`${file}: 'names' must number the classes 0..${n - 1} without gaps`);
    return names;
  }
  bad(`${file}: 'names' must be a list or a mapping of class index to name`);
}

export function readDataConfig(yamlFile: string): DataConfig {
  let text: string;
  try {
    text = fs.readFileSync(yamlFile, 'utf8');
  } catch {
    throw new FastSAMError('E_FILE_NOT_FOUND', `dataset file not found: ${yamlFile}`);
  }
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (error) {
    bad(`${yamlFile} is not valid YAML: ${messageOf(error).split('\n')[0]}`);
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) bad(`${yamlFile}: expected a mapping with path, val and names`);
  const data = doc as Record<string, unknown>;
  const yamlDir = path.dirname(path.resolve(yamlFile));
  const root = typeof data.path === 'string' && data.path ? path.resolve(yamlDir, data.path) : yamlDir;
  const names = readNames(data.names, data.nc, yamlFile);
  const nc = Object.keys(names).length;
  if (typeof data.nc === 'number' && data.nc !== nc) bad(`${yamlFile}: nc is ${data.nc} but 'names' has ${nc} classes`);
  const splits: DataConfig['splits'] = {};
  for (const key of ['train', 'val', 'test'] as const) {
    const value = data[key];
    if (value === undefined || value === null || value === '') continue;
    const list = Array.isArray(value) ? value : [value];
    splits[key] = list.map((v) => {
      if (typeof v !== 'string') bad(`${yamlFile}: '${key}' must be a path or a list of paths`);
      const resolved = path.resolve(root, v);
      // As Ultralytics: a '../x' that does not exist is tried as 'x' under the root.
      return !fs.existsSync(resolved) && v.startsWith('../') ? path.resolve(root, v.slice(3)) : resolved;
    });
  }
  return { yamlFile, root, names, nc, splits };
}

/** Files under a folder and its subfolders whose names have an extension, skipping dot-entries (glob '**\/*.*'). */
function walk(dir: string, out: string[]): void {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    const isDir = entry.isDirectory() || (entry.isSymbolicLink() && fs.statSync(full, { throwIfNoEntry: false })?.isDirectory());
    if (isDir) walk(full, out);
    else if (entry.name.includes('.')) out.push(full);
  }
}

/** get_img_files: images of folders (recursively) and list files ('./x' relative to the list), sorted. */
export function listImages(sources: string[]): string[] {
  const files: string[] = [];
  for (const source of sources) {
    const stat = fs.statSync(source, { throwIfNoEntry: false });
    if (stat?.isDirectory()) walk(source, files);
    else if (stat?.isFile()) {
      const parent = path.dirname(source) + path.sep;
      for (const line of fs.readFileSync(source, 'utf8').trim().split(/\r?\n/)) {
        if (line) files.push(line.startsWith('./') ? line.replace('./', parent) : line);
      }
    } else throw new FastSAMError('E_FILE_NOT_FOUND', `dataset images not found: ${source}`);
  }
  const images = files.filter((f) => IMG_FORMATS.has((f.split('.').pop() ?? '').toLowerCase())).sort();
  if (images.length === 0) throw new FastSAMError('E_FILE_NOT_FOUND', `no images found in ${sources.join(', ')}`);
  return images;
}

/** img2label_paths: the last /images/ becomes /labels/, the extension .txt. */
export function labelPathFor(image: string): string {
  const sa = `${path.sep}images${path.sep}`;
  const at = image.lastIndexOf(sa);
  const swapped = at < 0 ? image : `${image.slice(0, at)}${path.sep}labels${path.sep}${image.slice(at + sa.length)}`;
  const dot = swapped.lastIndexOf('.');
  return `${dot < 0 ? swapped : swapped.slice(0, dot)}.txt`;
}
