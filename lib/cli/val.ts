/**
 * `fastsam val`: Ultralytics-style dataset validation of a model, or pycocotools-style evaluation of COCO
 * detections.
 *   fastsam val model=M.onnx data=coco8-seg.yaml [imgsz= conf= iou= batch= max_det= single_cls= split= rect=
 *               project= name= exist_ok=] [--json]
 *   fastsam val data=instances.json predictions=results.json [iou_type=bbox|segm project= name= exist_ok=] [--json]
 * Results go to runs/segment/val* (metrics.json and PR curves); --json prints one JSON line.
 */
import * as path from 'node:path';
import { FastSAMError } from '../errors';
import { evaluateCocoFiles } from '../val/coco/files';
import type { CocoIouType } from '../val/coco/types';
import { cocoSummary, validationTable } from '../val/report';
import { saveCocoEvaluation, saveValidation } from '../val/save';
import { incrementPath } from '../val/save-dir';
import { validateDataset } from '../val/validator';
import { boolArg, numberArg } from './args';

export const VAL_HELP = `fastsam val model=MODEL.onnx data=DATA.yaml [key=value ...] [--json]
  Ultralytics-style validation on a YOLO segmentation dataset: box and mask P, R, mAP50, mAP50-95.
  imgsz= conf=0.001 iou=0.7 batch=16 max_det=300 single_cls=false split=val rect=true
  project=runs/segment name=val exist_ok=false

fastsam val data=instances.json predictions=results.json [iou_type=bbox|segm] [--json]
  pycocotools-style evaluation of COCO results: the 12 summary statistics per type.

--json prints one line: the Ultralytics metric keys, or { "bbox": [12], "segm": [12] }.`;

const DATASET_KEYS = [
  'model',
  'data',
  'imgsz',
  'conf',
  'iou',
  'batch',
  'max_det',
  'single_cls',
  'split',
  'rect',
  'project',
  'name',
  'exist_ok',
];
const COCO_KEYS = ['data', 'predictions', 'iou_type', 'project', 'name', 'exist_ok'];

function bad(message: string): never {
  throw new FastSAMError('E_BAD_OPTION', message);
}

function checkKeys(values: Record<string, string>, allowed: string[], mode: string): void {
  for (const key of Object.keys(values)) {
    if (!allowed.includes(key)) bad(`unknown option '${key}' for fastsam val (${mode}); allowed: ${allowed.join(', ')}`);
  }
}

function saveDir(values: Record<string, string>): string {
  const project = values.project || path.join('runs', 'segment');
  return incrementPath(path.join(project, values.name || 'val'), boolArg(values, 'exist_ok') ?? false);
}

function warn(message: string): void {
  console.error(`fastsam: warning: ${message}`);
}

async function datasetVal(values: Record<string, string>, json: boolean): Promise<void> {
  checkKeys(values, DATASET_KEYS, 'dataset validation');
  const split = values.split;
  if (split !== undefined && !['train', 'val', 'test'].includes(split)) bad(`split=${split}: expected train, val or test`);
  const result = await validateDataset(values.model, values.data, {
    imgsz: numberArg(values, 'imgsz'),
    conf: numberArg(values, 'conf'),
    iou: numberArg(values, 'iou'),
    batch: numberArg(values, 'batch'),
    maxDet: numberArg(values, 'max_det'),
    singleCls: boolArg(values, 'single_cls'),
    rect: boolArg(values, 'rect'),
    split: split as 'train' | 'val' | 'test' | undefined,
  });
  result.warnings.forEach(warn);
  const dir = saveDir(values);
  await saveValidation(dir, result, { model: values.model, data: values.data });
  if (json) {
    console.log(JSON.stringify(result.metrics));
    return;
  }
  console.log(validationTable(result));
  const s = result.speed;
  console.log(
    `Speed: ${s.preprocess.toFixed(1)}ms preprocess, ${s.inference.toFixed(1)}ms inference, ${s.postprocess.toFixed(1)}ms postprocess per image`,
  );
  console.log(`Results saved to ${path.relative(process.cwd(), dir) || '.'}`);
}

async function cocoVal(values: Record<string, string>, json: boolean): Promise<void> {
  checkKeys(values, COCO_KEYS, 'COCO evaluation');
  if (!values.predictions) bad('COCO evaluation needs predictions=results.json (the detections to score against data=)');
  const type = values.iou_type;
  if (type !== undefined && type !== 'bbox' && type !== 'segm') bad(`iou_type=${type}: expected bbox or segm`);
  const { gt, evaluations } = await evaluateCocoFiles(values.data, values.predictions, type ? [type as CocoIouType] : undefined);
  const dir = saveDir(values);
  const names = new Map(gt.categories.map((c) => [c.id, c.name ?? String(c.id)]));
  await saveCocoEvaluation(dir, evaluations, names, { data: values.data, predictions: values.predictions });
  if (json) {
    console.log(JSON.stringify(Object.fromEntries(evaluations.map((e) => [e.iouType, e.stats]))));
    return;
  }
  for (const e of evaluations) {
    console.log(`Evaluate annotation type *${e.iouType}*`);
    console.log(cocoSummary(e));
  }
  console.log(`Results saved to ${path.relative(process.cwd(), dir) || '.'}`);
}

export async function valCommand(values: Record<string, string>, flags: Set<string>): Promise<void> {
  const json = flags.has('json');
  if (!values.data) bad('missing data=... (a dataset .yaml, or COCO instances .json with predictions=)');
  if (values.data.toLowerCase().endsWith('.json')) return cocoVal(values, json);
  if (!values.model) bad('missing model=... (the ONNX model to validate on data=)');
  return datasetVal(values, json);
}
