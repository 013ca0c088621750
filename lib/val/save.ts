/** What a validation run leaves in runs/segment/val*: metrics.json and the PR-curve plots (PNG). */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { CocoEvalResult } from './coco/eval';
import type { ApPerClass } from './metrics/ap-per-class';
import { mean } from './metrics/numeric';
import { ap3, writePrCurve } from './plot-pr';
import type { ValidationResult } from './validator';

function datasetCurves(curves: ApPerClass, names: Record<number, string>) {
  const ap50 = new Map(curves.classes.map((c, i) => [c, curves.ap[i][0]]));
  return {
    recall: curves.px,
    curves: curves.prCurves.map((c) => ({ label: `${names[c.cls] ?? c.cls} ${ap3(ap50.get(c.cls) ?? 0)}`, precision: c.precision })),
    meanLabel: `all classes ${ap3(curves.ap.length ? mean(curves.ap.map((r) => r[0])) : 0)} mAP@0.5`,
  };
}

/** Writes a dataset validation's metrics.json, BoxPR_curve.png and MaskPR_curve.png; returns the files. */
export async function saveValidation(dir: string, r: ValidationResult, meta: Record<string, unknown> = {}): Promise<string[]> {
  const files = [path.join(dir, 'metrics.json')];
  const json = {
    ...meta,
    metrics: r.metrics,
    box: r.box,
    mask: r.mask,
    fitness: r.fitness,
    images: r.images,
    instances: r.instances,
    imgsz: r.imgsz,
    rect: r.rect,
    single_cls: r.singleCls,
    speed: r.speed,
    per_class: r.perClass.map((c) => ({ class: c.cls, name: c.name, instances: c.instances, box: c.box, mask: c.mask })),
  };
  await fs.writeFile(files[0], `${JSON.stringify(json, null, 2)}\n`);
  const empty = { recall: [0, 1], curves: [], meanLabel: 'all classes 0.000 mAP@0.5' };
  for (const [prefix, curves] of [
    ['Box', r.curves.boxCurves],
    ['Mask', r.curves.maskCurves],
  ] as const) {
    const file = path.join(dir, `${prefix}PR_curve.png`);
    await writePrCurve(file, curves ? datasetCurves(curves, r.names) : empty);
    files.push(file);
  }
  return files;
}

/** Precision over recall thresholds at IoU 0.5, all areas, the largest maxDets, per category with ground truth. */
function cocoCurves(r: CocoEvalResult, names: Map<number, string>) {
  const { recThrs, catIds, areaRng, maxDets } = r.params;
  const R = recThrs.length;
  const K = catIds.length;
  const A = areaRng.length;
  const M = maxDets.length;
  const curves = [];
  for (let k = 0; k < K; k++) {
    const precision = Float64Array.from({ length: R }, (_, i) => r.precision[((0 * R + i) * K + k) * A * M + (M - 1)]);
    if (precision[0] < 0) continue;
    curves.push({ label: `${names.get(catIds[k]) ?? catIds[k]} ${ap3(mean(precision))}`, precision });
  }
  return { recall: recThrs, curves, meanLabel: `all classes ${ap3(r.stats[1])} mAP@0.5` };
}

/** Writes a COCO evaluation's metrics.json and one PR plot per evaluated type. */
export async function saveCocoEvaluation(
  dir: string,
  results: CocoEvalResult[],
  names: Map<number, string>,
  meta: Record<string, unknown> = {},
): Promise<string[]> {
  const files = [path.join(dir, 'metrics.json')];
  const json = { ...meta, ...Object.fromEntries(results.map((r) => [r.iouType, { stats: r.stats }])) };
  await fs.writeFile(files[0], `${JSON.stringify(json, null, 2)}\n`);
  for (const r of results) {
    const file = path.join(dir, `${r.iouType === 'bbox' ? 'Box' : 'Mask'}PR_curve.png`);
    await writePrCurve(file, cocoCurves(r, names));
    files.push(file);
  }
  return files;
}
