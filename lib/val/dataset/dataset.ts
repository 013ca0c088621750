/**
 * A validation split: image files with their checked labels and header sizes. Images with a bad label
 * file are left out with a warning (as the reference drops "corrupt" images); a split without any label
 * file, or with box-only labels for segmentation, is refused.
 */
import { FastSAMError } from '../../errors';
import { labelPathFor, listImages } from './data-yaml';
import { type ImageLabels, readLabels } from './labels';
import { imageShape } from './load-image';

export interface DatasetItem {
  file: string;
  labels: ImageLabels;
  /** [height, width] from the header (EXIF-corrected). */
  shape: [number, number];
}

export interface ValDataset {
  items: DatasetItem[];
  warnings: string[];
  /** Images without a label file, or with an empty one. */
  backgrounds: number;
}

export async function loadDataset(sources: string[], nc: number, singleCls: boolean): Promise<ValDataset> {
  const files = listImages(sources);
  const warnings: string[] = [];
  const items: DatasetItem[] = [];
  let found = 0;
  let backgrounds = 0;
  for (const file of files) {
    const read = readLabels(labelPathFor(file), nc);
    if (!read.ok) {
      warnings.push(`${file}: ignoring corrupt image/label: ${read.reason}`);
      continue;
    }
    let shape: [number, number];
    try {
      shape = await imageShape(file);
    } catch (error) {
      warnings.push(`${file}: ignoring corrupt image/label: ${(error as Error).message}`);
      continue;
    }
    if (!read.missing) found++;
    if (read.labels.cls.length === 0) backgrounds++;
    const labels = singleCls ? { ...read.labels, cls: new Float32Array(read.labels.cls.length) } : read.labels;
    items.push({ file, labels, shape });
  }
  if (found === 0) {
    throw new FastSAMError(
      'E_FILE_NOT_FOUND',
      `no label files found for the ${files.length} images in ${sources.join(', ')} (expected them under a labels/ folder beside images/)`,
    );
  }
  const objects = items.reduce((n, it) => n + it.labels.cls.length, 0);
  const polygons = items.reduce((n, it) => n + it.labels.segments.length, 0);
  if (objects > 0 && polygons !== objects) {
    throw new FastSAMError(
      'E_BAD_OPTION',
      `segmentation validation needs a polygon for every object, but ${objects - polygons} of ${objects} labels in ${sources.join(', ')} are boxes only`,
    );
  }
  return { items, warnings, backgrounds };
}
