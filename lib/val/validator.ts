/**
 * Dataset validation of a segmentation model, as the reference SegmentationValidator computes it: the
 * val letterbox (scaleup off, rectangular batches when the model takes any shape), NMS at conf 0.001 /
 * iou 0.7, box IoU in original pixels and mask IoU at prototype resolution, matches at IoU 0.50:0.95,
 * and the Ultralytics box and mask metrics.
 */
import { FastSAMError } from '../errors';
import { prepareBatch } from './batch';
import { readDataConfig } from './dataset/data-yaml';
import { type DatasetItem, loadDataset } from './dataset/dataset';
import { planRectBatches } from './dataset/rect';
import { evaluateImage } from './evaluate-image';
import { IOU_THRESHOLDS } from './metrics/match';
import { type ClassMetrics, type MetricSummary, resultsDict, type SegmentMetricsResult, segmentMetrics } from './metrics/segment-metrics';
import { loadValModel, type ValModel } from './model-runner';
import { StatsAccumulator } from './stats';

/** Options of validateDataset(); the defaults are Ultralytics' val defaults. */
export interface ValidateOptions {
  /** Long side images are resized to; default the model's input size. */
  imgsz?: number;
  /** Default 0.001. */
  conf?: number;
  /** NMS IoU, default 0.7. */
  iou?: number;
  /** Most detections per image. Default 300. */
  maxDet?: number;
  /** Images per batch for models with a dynamic batch axis; default 16. */
  batch?: number;
  /** Treat every label and prediction as class 0 (class-agnostic numbers, FastSAM's recipe). */
  singleCls?: boolean;
  /** Dataset split, default 'val'. */
  split?: 'train' | 'val' | 'test';
  /** Rectangular batches (default true); only possible when the model accepts any input size. */
  rect?: boolean;
  /** ONNX Runtime intra-op threads. */
  threads?: number;
}

/**
 * One class's metrics, with its name.
 * @inline
 */
export interface ClassRow extends ClassMetrics {
  /** The class name (from data.yaml). */
  name: string;
}

/** What validateDataset() measured: Ultralytics' box and mask metrics, overall and per class. */
export interface ValidationResult {
  /** Ultralytics' results_dict: metrics/precision(B) ... metrics/mAP50-95(M), fitness. */
  metrics: Record<string, number>;
  /** Box metrics. */
  box: MetricSummary;
  /** Mask metrics. */
  mask: MetricSummary;
  /** 0.1 mAP50 + 0.9 mAP50-95, summed over box and mask (Ultralytics' fitness). */
  fitness: number;
  /** Per ground-truth class present (empty when nothing matched). */
  perClass: ClassRow[];
  /** Images evaluated. */
  images: number;
  /** Ground-truth instances. */
  instances: number;
  /** Milliseconds per image. */
  speed: {
    /** Reading, decoding and letterboxing. */
    preprocess: number;
    /** The network. */
    inference: number;
    /** NMS, masks and matching. */
    postprocess: number;
  };
  /** The long side images were resized to. */
  imgsz: number;
  /** Whether batches were rectangular. */
  rect: boolean;
  /** Whether classes were merged into one. */
  singleCls: boolean;
  /** Class names by index (from data.yaml). */
  names: Record<number, string>;
  /** What may make the numbers misleading (missing labels, a one-class model on many classes, ...). */
  warnings: string[];
  /**
   * The full curves (for plots).
   * @inlineType SegmentMetricsResult
   */
  curves: Pick<SegmentMetricsResult, 'boxCurves' | 'maskCurves'>;
}

function bad(message: string): never {
  throw new FastSAMError('E_BAD_OPTION', message);
}

function unit(name: string, v: number | undefined, fallback: number): number {
  const value = v ?? fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1)
    bad(`${name} must be a number in [0, 1], got ${String(v)}`);
  return value;
}

function positiveInt(name: string, v: number | undefined, fallback: number, max: number): number {
  const value = v ?? fallback;
  if (!Number.isInteger(value) || value < 1 || value > max) bad(`${name} must be an integer in [1, ${max}], got ${String(v)}`);
  return value;
}

interface Batch {
  items: DatasetItem[];
  shape: [number, number];
}

/** Input size and batches: rectangular for dynamic inputs, the model's fixed (or a square) input otherwise. */
function plan(net: ValModel, items: DatasetItem[], options: ValidateOptions): { imgsz: number; rect: boolean; batches: Batch[] } {
  const { fixedSize, fixedBatch, stride, imgsz: declared } = net.contract;
  const imgsz = positiveInt('imgsz', options.imgsz, fixedSize ? Math.max(...fixedSize) : Math.max(...declared), 8192);
  if (fixedSize && imgsz !== Math.max(...fixedSize)) {
    bad(`this model takes a fixed ${fixedSize.join('x')} input: imgsz must be ${Math.max(...fixedSize)}, got ${imgsz}`);
  }
  const batch = fixedBatch ?? positiveInt('batch', options.batch, 16, 1024);
  const rect = (options.rect ?? true) && !fixedSize;
  if (rect) {
    const { batches } = planRectBatches(
      items.map((it) => it.shape),
      imgsz,
      stride,
      batch,
    );
    return { imgsz, rect, batches: batches.map((b) => ({ items: b.items.map((i) => items[i]), shape: b.shape })) };
  }
  const square = Math.ceil(imgsz / stride) * stride;
  const shape: [number, number] = fixedSize ?? [square, square];
  const batches: Batch[] = [];
  for (let i = 0; i < items.length; i += batch) batches.push({ items: items.slice(i, i + batch), shape });
  return { imgsz, rect, batches };
}

/**
 * Validates a YOLOv8-seg / FastSAM ONNX model on an Ultralytics segmentation dataset (data.yaml).
 */
export async function validateDataset(
  model: string | Uint8Array,
  dataYaml: string,
  options: ValidateOptions = {},
): Promise<ValidationResult> {
  const conf = unit('conf', options.conf, 0.001);
  const iou = unit('iou', options.iou, 0.7);
  const maxDet = positiveInt('maxDet', options.maxDet, 300, 30000);
  const singleCls = options.singleCls ?? false;
  const split = options.split ?? 'val';
  if (!['train', 'val', 'test'].includes(split)) bad(`split must be train, val or test, got ${String(split)}`);
  const data = readDataConfig(dataYaml);
  const sources = data.splits[split];
  if (!sources) bad(`${dataYaml} has no '${split}' split`);
  const dataset = await loadDataset(sources, data.nc, singleCls);
  const net = await loadValModel(model, options.threads);
  try {
    const { contract } = net;
    const warnings = [...dataset.warnings];
    if (contract.nc === 1 && data.nc > 1 && !singleCls) {
      warnings.push(
        `a one-class model on ${data.nc}-class labels: only class 0 can match; pass single_cls=true for class-agnostic numbers`,
      );
    }
    const { imgsz, rect, batches } = plan(net, dataset.items, options);
    const stats = new StatsAccumulator(IOU_THRESHOLDS.length);
    const time = { preprocess: 0, inference: 0, postprocess: 0 };
    const evalOptions = { conf, iou, agnostic: singleCls, maxDet, singleCls };
    for (const batch of batches) {
      const t0 = performance.now();
      const [h, w] = batch.shape;
      const { tensor, geometries } = await prepareBatch(batch.items, batch.shape, imgsz, contract.stride, contract.fixedBatch ?? undefined);
      const t1 = performance.now();
      const outputs = await net.run(tensor);
      const t2 = performance.now();
      const [, , protoH, protoW] = outputs.output1.dims;
      if (protoH * 4 !== h || protoW * 4 !== w) {
        throw new FastSAMError(
          'E_MODEL_FORMAT',
          `prototypes of ${protoH}x${protoW} for a ${h}x${w} input: expected a quarter of the input`,
        );
      }
      for (let i = 0; i < batch.items.length; i++) {
        await evaluateImage(outputs, i, batch.items[i].labels, geometries[i], evalOptions, stats);
      }
      const t3 = performance.now();
      time.preprocess += t1 - t0;
      time.inference += t2 - t1;
      time.postprocess += t3 - t2;
    }
    if (stats.instances === 0) warnings.push(`no labels found in ${sources.join(', ')}: metrics need labels`);
    const metrics = segmentMetrics(stats.finish());
    // Class names as the reference prints them: the model's, falling back to the dataset's.
    const names = { ...data.names, ...contract.names };
    const n = Math.max(stats.images, 1);
    return {
      metrics: resultsDict(metrics),
      box: metrics.box,
      mask: metrics.mask,
      fitness: metrics.fitness,
      perClass: metrics.perClass.map((c) => ({ ...c, name: names[c.cls] ?? String(c.cls) })),
      images: stats.images,
      instances: stats.instances,
      speed: { preprocess: time.preprocess / n, inference: time.inference / n, postprocess: time.postprocess / n },
      imgsz,
      rect,
      singleCls,
      names,
      warnings,
      curves: { boxCurves: metrics.boxCurves, maskCurves: metrics.maskCurves },
    };
  } finally {
    await net.dispose();
  }
}
