/** The validator's printed table ('%22s' + '%11i' * 2 + '%11.3g' * 8) and the pycocotools summary lines. */
import { formatFixed, formatG } from './format';
import type { CocoEvalResult } from './coco/eval';
import type { ValidationResult } from './validator';

const HEADER = ['Images', 'Instances', 'Box(P', 'R', 'mAP50', 'mAP50-95)', 'Mask(P', 'R', 'mAP50', 'mAP50-95)'];

function row(label: string, images: number, instances: number, values: number[]): string {
  return (
    label.padStart(22) +
    String(images).padStart(11) +
    String(instances).padStart(11) +
    values.map((v) => formatG(v, 3).padStart(11)).join('')
  );
}

/** The familiar Ultralytics segmentation table: 'all', then one row per class (multi-class runs). */
export function validationTable(r: ValidationResult): string {
  const lines = ['Class'.padStart(22) + HEADER.map((h) => h.padStart(11)).join('')];
  const summary = (m: ValidationResult['box']) => [m.precision, m.recall, m.map50, m.map];
  lines.push(row('all', r.images, r.instances, [...summary(r.box), ...summary(r.mask)]));
  if (!r.singleCls && Object.keys(r.names).length > 1) {
    for (const c of r.perClass) lines.push(row(c.name, r.images, c.instances, [...summary(c.box), ...summary(c.mask)]));
  }
  return lines.join('\n');
}

const COCO_LINES: Array<[boolean, string, string, string]> = [
  [true, '0.50:0.95', 'all', '100'],
  [true, '0.50', 'all', '100'],
  [true, '0.75', 'all', '100'],
  [true, '0.50:0.95', 'small', '100'],
  [true, '0.50:0.95', 'medium', '100'],
  [true, '0.50:0.95', 'large', '100'],
  [false, '0.50:0.95', 'all', '1'],
  [false, '0.50:0.95', 'all', '10'],
  [false, '0.50:0.95', 'all', '100'],
  [false, '0.50:0.95', 'small', '100'],
  [false, '0.50:0.95', 'medium', '100'],
  [false, '0.50:0.95', 'large', '100'],
];

/** COCOeval.summarize()'s twelve lines. */
export function cocoSummary(r: CocoEvalResult): string {
  return COCO_LINES.map(([ap, iou, area, dets], i) => {
    const title = (ap ? 'Average Precision' : 'Average Recall').padEnd(18);
    const type = ap ? '(AP)' : '(AR)';
    return ` ${title} ${type} @[ IoU=${iou.padEnd(9)} | area=${area.padStart(6)} | maxDets=${dets.padStart(3)} ] = ${formatFixed(r.stats[i], 3)}`;
  }).join('\n');
}
