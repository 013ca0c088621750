/** COCO evaluation from files: ground truth (instances_*.json) and a results list, each type present. */
import { promises as fs } from 'node:fs';
import { FastSAMError, messageOf } from '../../errors';
import { type CocoEvalResult, evaluateCoco } from './eval';
import type { CocoDataset, CocoIouType, CocoResult } from './types';

async function readJson(file: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    throw new FastSAMError('E_FILE_NOT_FOUND', `${what} not found: ${file}`, { cause: error });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new FastSAMError('E_BAD_OPTION', `${what} ${file} is not valid JSON: ${messageOf(error)}`, { cause: error });
  }
}

export function checkCocoDataset(value: unknown, file: string): CocoDataset {
  const d = value as Partial<CocoDataset> | null;
  if (!d || typeof d !== 'object' || !Array.isArray(d.images) || !Array.isArray(d.annotations) || !Array.isArray(d.categories)) {
    throw new FastSAMError('E_BAD_OPTION', `${file} is not COCO ground truth (expected images, annotations and categories)`);
  }
  return d as CocoDataset;
}

/** The types a results list can be evaluated as: segm when it has segmentations, bbox when it has boxes. */
export function resultTypes(results: CocoResult[]): CocoIouType[] {
  const first = results[0];
  if (!first) return [];
  const types: CocoIouType[] = [];
  if (Array.isArray(first.bbox) && first.bbox.length > 0) types.push('bbox');
  if (first.segmentation !== undefined) types.push('segm');
  return types;
}

/**
 * What evaluateCocoFiles read and computed.
 * @inline
 */
export interface CocoFiles {
  /** The ground truth, as read. */
  gt: CocoDataset;
  /** The detections, as read. */
  results: CocoResult[];
  /** One evaluation per IoU type. */
  evaluations: CocoEvalResult[];
}

/** Evaluates a results file against ground truth, for the given types or every type the results carry. */
export async function evaluateCocoFiles(gtFile: string, resultsFile: string, iouTypes?: CocoIouType[]): Promise<CocoFiles> {
  const gt = checkCocoDataset(await readJson(gtFile, 'COCO ground truth'), gtFile);
  const results = (await readJson(resultsFile, 'detection results')) as CocoResult[];
  if (!Array.isArray(results)) throw new FastSAMError('E_BAD_OPTION', `${resultsFile} must hold a JSON list of detections`);
  const types = iouTypes ?? resultTypes(results);
  if (types.length === 0) throw new FastSAMError('E_BAD_OPTION', `${resultsFile} has no detections with a bbox or a segmentation`);
  return { gt, results, evaluations: types.map((t) => evaluateCoco(gt, results, t)) };
}
