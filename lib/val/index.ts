/** Validation: Ultralytics-style dataset metrics and pycocotools-style COCO evaluation. */
export { evaluateCoco, type CocoEvalResult, type CocoEvalParams } from './coco/eval';
export { evaluateCocoFiles, resultTypes, type CocoFiles } from './coco/files';
export type { CocoAnnotation, CocoDataset, CocoImage, CocoIouType, CocoResult, CocoRleJson, CocoSegmentation } from './coco/types';
export {
  rleArea,
  rleDecode,
  rleEncode,
  rleFromPolygon,
  rleFromString,
  rleIou,
  rleMerge,
  rleToBbox,
  rleToString,
  type Rle,
} from './coco/rle';
export { validateDataset, type ValidateOptions, type ValidationResult, type ClassRow } from './validator';
export { apPerClass, computeAp, type ApPerClass } from './metrics/ap-per-class';
export { matchPredictions, boxIou, IOU_THRESHOLDS } from './metrics/match';
export { resultsDict, segmentMetrics, type MetricSummary, type SegmentMetricsResult, type ValStats } from './metrics/segment-metrics';
export { readDataConfig, type DataConfig } from './dataset/data-yaml';
export { cocoSummary, validationTable } from './report';
export { saveCocoEvaluation, saveValidation } from './save';
