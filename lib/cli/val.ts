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
import { validateDataset } from '../val/validator';
import type { CommandSchema, ParsedKeys } from '../options/key-schema';
import { runKeys } from '../options/keys';
import { runFolder } from './save-dir';

/** Dataset validation; COCO evaluation when predictions= is given. */
export const VAL_SCHEMA: CommandSchema = {
  name: 'val',
  summary: 'Ultralytics-style validation on a YOLO segmentation dataset, or pycocotools-style evaluation of COCO results',
  usage: 'model=MODEL.onnx data=DATA.yaml [key=value ...] [--json]  |  data=instances.json predictions=results.json [--json]',
  keys: {
    model: { kind: 'path', help: 'the model to validate (dataset validation)' },
    data: { kind: 'path', help: 'a YOLO data.yaml, or COCO ground truth instances.json with predictions=', required: true },
    predictions: { kind: 'path', help: 'COCO results to evaluate against data= (COCO evaluation)' },
    iou_type: { kind: 'enum', values: ['bbox', 'segm'], help: 'COCO evaluation: one type only', default: 'both' },
    imgsz: { kind: 'size', help: 'input size', default: "the model's" },
    conf: { kind: 'number', help: 'confidence threshold', default: '0.001' },
    iou: { kind: 'number', help: 'NMS IoU threshold', default: '0.7' },
    batch: { kind: 'integer', help: 'images per batch', default: '16' },
    max_det: { kind: 'integer', help: 'most detections per image', default: '300' },
    single_cls: { kind: 'boolean', help: 'treat every class as one', default: 'false' },
    split: { kind: 'enum', values: ['train', 'val', 'test'], help: 'which split of the dataset', default: 'val' },
    rect: { kind: 'boolean', help: 'rectangular batches (dynamic-shape models)', default: 'true' },
    ...runKeys('val'),
  },
  flags: { json: 'one JSON line: the Ultralytics metric keys, or { "bbox": [12], "segm": [12] }' },
};

const COCO_ONLY = ['predictions', 'iou_type'];
const DATASET_ONLY = ['model', 'imgsz', 'conf', 'iou', 'batch', 'max_det', 'single_cls', 'split', 'rect'];

/** Keys of the other mode are errors, not silently ignored. */
function checkMode(keys: ParsedKeys, coco: boolean): void {
  const foreign = Object.keys(keys).find((key) => (coco ? DATASET_ONLY : COCO_ONLY).includes(key));
  if (foreign) {
    const mode = coco ? 'COCO evaluation (predictions= given)' : 'dataset validation';
    throw new FastSAMError('E_BAD_OPTION', `${foreign}= does not apply to ${mode}`);
  }
  if (!coco && !keys.model) throw new FastSAMError('E_BAD_OPTION', 'missing model=... (see fastsam val --help)');
}

function warn(message: string): void {
  console.error(`fastsam: warning: ${message}`);
}

async function datasetVal(keys: ParsedKeys, json: boolean): Promise<void> {
  const imgsz = keys.imgsz;
  if (Array.isArray(imgsz)) throw new FastSAMError('E_BAD_OPTION', `imgsz=${imgsz.join(',')}: validation takes one size`);
  const result = await validateDataset(keys.model as string, keys.data as string, {
    imgsz: imgsz as number | undefined,
    conf: keys.conf as number | undefined,
    iou: keys.iou as number | undefined,
    batch: keys.batch as number | undefined,
    maxDet: keys.max_det as number | undefined,
    singleCls: keys.single_cls as boolean | undefined,
    rect: keys.rect as boolean | undefined,
    split: keys.split as 'train' | 'val' | 'test' | undefined,
  });
  result.warnings.forEach(warn);
  const dir = runFolder(keys, 'segment', 'val');
  await saveValidation(dir, result, { model: keys.model as string, data: keys.data as string });
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

async function cocoVal(keys: ParsedKeys, json: boolean): Promise<void> {
  const type = keys.iou_type as CocoIouType | undefined;
  const data = keys.data as string;
  const predictions = keys.predictions as string;
  const { gt, evaluations } = await evaluateCocoFiles(data, predictions, type ? [type] : undefined);
  const dir = runFolder(keys, 'segment', 'val');
  const names = new Map(gt.categories.map((c) => [c.id, c.name ?? String(c.id)]));
  await saveCocoEvaluation(dir, evaluations, names, { data, predictions });
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

export async function valCommand(keys: ParsedKeys, flags: Set<string>): Promise<void> {
  const json = flags.has('json');
  const coco = (keys.data as string).toLowerCase().endsWith('.json');
  if (coco && !keys.predictions) {
    throw new FastSAMError('E_BAD_OPTION', 'COCO evaluation needs predictions=results.json (the detections to score against data=)');
  }
  checkMode(keys, coco);
  return coco ? cocoVal(keys, json) : datasetVal(keys, json);
}
