/**
 * One image of a validation batch (update_metrics): NMS, then true positives of each detection at the 10
 * IoU thresholds, for boxes (in original pixels) and masks (at prototype resolution).
 */
import type { RawOutputs } from '../backends/pipeline';
import { groundTruth, scaleBoxesToOriginal, type ValGeometry } from './dataset/ground-truth';
import type { ImageLabels } from './dataset/labels';
import { maskIou } from './mask-overlap';
import { boxIou, IOU_THRESHOLDS, matchPredictions } from './metrics/match';
import { native } from '../native';
import type { StatsAccumulator } from './stats';

export interface ImageEvalOptions {
  conf: number;
  iou: number;
  agnostic: boolean;
  maxDet: number;
  singleCls: boolean;
}

/** Evaluates image `i` of the batch outputs and adds it to `stats`. */
export async function evaluateImage(
  outputs: RawOutputs,
  i: number,
  labels: ImageLabels,
  g: ValGeometry,
  options: ImageEvalOptions,
  stats: StatsAccumulator,
): Promise<void> {
  const [, rows, anchors] = outputs.output0.dims;
  const [, nm, protoH, protoW] = outputs.output1.dims;
  // The native NMS in its validation flavour (multi_label, no full-image box); boxes stay in letterbox
  // pixels (inputBoxes): scaling to the original uses the validator's own ratio_pad below.
  const found = await native().detect(outputs.output0.data.subarray(i * rows * anchors, (i + 1) * rows * anchors), {
    rows,
    anchors,
    nc: rows - 4 - nm,
    conf: options.conf,
    iou: options.iou,
    agnostic: options.agnostic,
    maxDet: options.maxDet,
    multiLabel: true,
    fullImageBox: false,
    inputHeight: g.inputH,
    inputWidth: g.inputW,
    origHeight: g.inputH,
    origWidth: g.inputW,
  });
  const det = { boxes: found.inputBoxes, conf: found.conf, cls: found.cls, coef: found.coef };
  const gt = groundTruth(labels, g);
  const nd = det.conf.length;
  const T = IOU_THRESHOLDS.length;
  let tpBox: Uint8Array = new Uint8Array(nd * T);
  let tpMask: Uint8Array = new Uint8Array(nd * T);
  if (options.singleCls) det.cls.fill(0);
  if (nd > 0 && gt.cls.length > 0) {
    tpBox = matchPredictions(boxIou(gt.boxes, scaleBoxesToOriginal(det.boxes, g)), gt.cls, det.cls);
    const protos = outputs.output1.data.subarray(i * nm * protoH * protoW, (i + 1) * nm * protoH * protoW);
    const source = { protos, nm, protoH, protoW, inputH: g.inputH, inputW: g.inputW };
    tpMask = matchPredictions(await maskIou(source, det.coef, det.boxes, gt), gt.cls, det.cls);
  }
  stats.addImage(tpBox, tpMask, det.conf, det.cls, gt.cls);
}
