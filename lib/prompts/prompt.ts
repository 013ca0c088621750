/**
 * FastSAM's second stage: pick the regions a user asks for. Follows FastSAM's `FastSAMPrompt` (CASIA
 * flavour, spec 4.2) by default, with the newer Ultralytics behaviours as options. Prompts are in
 * original-image pixels and are mapped through the letterbox when masks are not retina.
 *
 *   const prompt = new FastSAMPrompt('dogs.jpg', results);
 *   const picked = await prompt.box([570, 200, 800, 600]);
 *   const merged = await prompt.point([[520, 360]], [1]);
 */
import { Boxes } from '../masks/boxes';
import type { ClipScorer } from '../clip/scorer';
import { selectByText, type SelectByTextOptions } from '../clip/select';
import { FastSAMError } from '../errors';
import { type DecodedImage, decodeImage, type ImageSource } from '../io/image';
import { Mask } from '../masks/mask';
import { imageToMask, maskToImage } from '../masks/mask-frame';
import { MaterializedMaskStore, Masks } from '../masks/masks';
import { type PromptPlotOptions, plotPrompt } from '../plot/prompt-plot';
import { Result } from '../masks/result';

export type BoxPrompt = [number, number, number, number];
export type PointPrompt = [number, number];

/**
 * How point prompts combine:
 * - 'merge' (default, the reference): one merged mask; masks are visited largest first and a foreground
 *   point sets, a background point clears, the whole of each mask containing it.
 * - 'instances' (current Ultralytics): the detections hit by foreground points, later points overriding
 *   earlier ones; all-background prompts keep every detection not hit.
 * - 'additive' (legacy Ultralytics FastSAMPrompt): one mask, sum of masks hit by foreground points minus
 *   those hit by background points, in detection order, kept where >= 1.
 */
export type PointMode = 'merge' | 'instances' | 'additive';

function badPrompt(message: string): never {
  throw new FastSAMError('E_BAD_PROMPT', message);
}

function checkBox(box: unknown, i: number): BoxPrompt {
  if (!Array.isArray(box) || box.length !== 4 || !box.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    badPrompt(`box ${i} must be [x1, y1, x2, y2] with finite numbers, got ${JSON.stringify(box)}`);
  }
  if (box[2] <= box[0] || box[3] <= box[1]) badPrompt(`box ${i} [${box.join(', ')}] has zero or negative width or height`);
  return box as BoxPrompt;
}

function checkPoint(point: unknown, i: number): PointPrompt {
  if (!Array.isArray(point) || point.length !== 2 || !point.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    badPrompt(`point ${i} must be [x, y] with finite numbers, got ${JSON.stringify(point)}`);
  }
  return point as PointPrompt;
}

/** Python's round() (half to even), as the reference clamps box prompts with it. */
function pyRound(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);

/** Stands in for masks that were not rendered because no point can hit them. */
const EMPTY_MASK = new Mask(0, 0, 0, 0, new Uint8Array(0), [0, 0]);

export class FastSAMPrompt {
  private readonly result: Result;
  private image?: Promise<DecodedImage>;

  /** `source` is the image the results came from (used by plots and text prompts). */
  constructor(
    private readonly source: ImageSource,
    results: Result | Result[],
  ) {
    const result = Array.isArray(results) ? results[0] : results;
    if (!(result instanceof Result)) badPrompt('FastSAMPrompt needs the Result (or Result[]) returned by predict()');
    this.result = result;
  }

  /** The decoded source image (decoded once). */
  decodedImage(): Promise<DecodedImage> {
    this.image ??= decodeImage(this.source);
    return this.image;
  }

  /** Every mask. */
  everything(): Result {
    return this.result;
  }

  /**
   * For each box, the mask maximising |mask ∩ box| / (|box| + |mask| - |mask ∩ box|) (first on ties),
   * one per box, deduplicated and in ascending detection order as the reference's set() gives them.
   */
  async box(boxes: BoxPrompt | BoxPrompt[]): Promise<Result> {
    const list = (Array.isArray(boxes[0]) ? boxes : [boxes]) as unknown[];
    if (list.length === 0) badPrompt('box() needs at least one box');
    const checked = list.map(checkBox);
    if (this.result.length === 0) return this.result;
    const masks = await this.result.masks.all();
    const areas = masks.map((m) => m.area);
    const frame = this.result.masks.frame;
    const [h, w] = frame.shape;
    const chosen = new Set<number>();
    for (const box of checked) {
      const [mx1, my1] = imageToMask(frame, box[0], box[1]);
      const [mx2, my2] = imageToMask(frame, box[2], box[3]);
      const x1 = Math.max(pyRound(mx1), 0);
      const y1 = Math.max(pyRound(my1), 0);
      const x2 = Math.min(pyRound(mx2), w);
      const y2 = Math.min(pyRound(my2), h);
      const boxArea = (y2 - y1) * (x2 - x1);
      let best = 0;
      let bestIou = -Infinity;
      masks.forEach((mask, i) => {
        const inter = x2 > x1 && y2 > y1 ? mask.areaIn(x1, y1, x2, y2) : 0;
        const iou = Math.fround(inter / (boxArea + areas[i] - inter)); // float32, as torch computes it
        // torch.argmax: first maximum, NaN counts as the maximum.
        if (Number.isNaN(iou) ? !Number.isNaN(bestIou) : iou > bestIou) {
          best = i;
          bestIou = iou;
        }
      });
      chosen.add(best);
    }
    return this.result.select([...chosen].sort((a, b) => a - b));
  }

  /** Points with labels (1 foreground, 0 background; default all 1). See PointMode for the modes. */
  async point(points: PointPrompt | PointPrompt[], labels?: number[], options: { mode?: PointMode } = {}): Promise<Result> {
    const list = (Array.isArray(points[0]) ? points : [points]) as unknown[];
    if (list.length === 0) badPrompt('point() needs at least one point');
    const checked = list.map(checkPoint);
    const pointLabels = labels ?? checked.map(() => 1);
    if (!Array.isArray(pointLabels) || pointLabels.length !== checked.length) {
      badPrompt(`got ${checked.length} points but ${Array.isArray(pointLabels) ? pointLabels.length : 'no'} labels`);
    }
    if (!pointLabels.every((l) => l === 0 || l === 1))
      badPrompt(`labels must be 0 (background) or 1 (foreground), got ${JSON.stringify(pointLabels)}`);
    const mode = options.mode ?? 'merge';
    if (mode !== 'merge' && mode !== 'instances' && mode !== 'additive') badPrompt(`unknown point mode '${String(mode)}'`);
    if (this.result.length === 0) return this.result;

    // Points in mask pixels, truncated like the reference's int conversion, clamped inside the mask.
    const frame = this.result.masks.frame;
    const [h, w] = frame.shape;
    const [h0, w0] = frame.origShape;
    const inMask = checked.map(([x, y]) => {
      // Clamped inside the image first, so a point outside it never lands in the letterbox padding.
      const [mx, my] = imageToMask(frame, clamp(x, 0, w0 - 1), clamp(y, 0, h0 - 1));
      return [clamp(Math.trunc(mx), 0, w - 1), clamp(Math.trunc(my), 0, h - 1)] as const;
    });
    // Only masks whose box can hold a point are rendered: a mask outside every point is never hit.
    const candidates = this.masksNear(inMask);
    const rendered = await this.result.masks.all(candidates);
    const masks: Mask[] = Array.from({ length: this.result.length }, () => EMPTY_MASK);
    candidates.forEach((row, i) => {
      masks[row] = rendered[i];
    });
    const hits = masks.map((mask) => inMask.map(([x, y]) => mask.at(x, y) === 1));

    if (mode === 'instances') {
      const allBackground = pointLabels.every((l) => l === 0);
      const keep = masks.map(() => allBackground);
      inMask.forEach((_, p) =>
        masks.forEach((_, i) => {
          if (hits[i][p]) keep[i] = pointLabels[p] === 1;
        }),
      );
      return this.result.select(keep.flatMap((k, i) => (k ? [i] : [])));
    }

    const merged = new Int32Array(h * w);
    const order = masks.map((_, i) => i);
    if (mode === 'merge') {
      const areas = masks.map((m) => m.area);
      order.sort((a, b) => areas[b] - areas[a] || a - b); // area descending, stable like Python's sort
    }
    const contributors = new Set<number>();
    for (const i of order) {
      pointLabels.forEach((label, p) => {
        if (!hits[i][p]) return;
        if (label === 1) contributors.add(i);
        paint(masks[i], merged, w, mode === 'merge' ? (label === 1 ? 'set' : 'clear') : label === 1 ? 'add' : 'subtract');
      });
    }
    const bits = new Uint8Array(h * w);
    for (let k = 0; k < bits.length; k++) bits[k] = merged[k] >= 1 ? 1 : 0;
    return this.fromMergedMask(Mask.fromDense(bits, [h, w]), contributors);
  }

  /**
   * The mask whose image region best matches each text, scored by CLIP (softmax of 100 × cosine over the
   * masks larger than `minArea`, as the reference). One detection per text, deduplicated, in text order;
   * an empty Result when no mask is large enough. `selectByText` gives every score.
   */
  async text(texts: string | string[], options: SelectByTextOptions & { clip: ClipScorer }): Promise<Result> {
    const list = Array.isArray(texts) ? texts : [texts];
    if (list.length === 0 || !list.every((t) => typeof t === 'string' && t.trim().length > 0)) {
      badPrompt('text() needs one or more non-empty strings');
    }
    if (!options?.clip) badPrompt('text() needs { clip }: a ClipScorer (ClipScorer.load(dir))');
    const { clip, ...selectOptions } = options;
    const image = await this.decodedImage();
    const selection = await selectByText(
      { rgb: image.rgb, width: image.width, height: image.height },
      this.result,
      list,
      clip,
      selectOptions,
    );
    const chosen = [...new Set(selection.indices.filter((i) => i >= 0))];
    return this.result.select(chosen);
  }

  /**
   * Draws `annotations` (a prompt's answer, or everything()) as FastSAM does; writes `output` (.png/.jpg)
   * when given and returns the encoded picture.
   */
  async plot(annotations: Result, options: PromptPlotOptions & { output?: string } = {}): Promise<Buffer> {
    if (!(annotations instanceof Result)) badPrompt('plot() needs a Result (from a prompt or everything())');
    const canvas = await plotPrompt(await this.decodedImage(), annotations, options);
    return options.output ? canvas.save(options.output) : canvas.encode('png');
  }

  /**
   * Detections whose box, mapped to mask pixels and widened by the upsampling reach (letterboxed masks
   * leak up to one prototype cell outside their box), contains one of the points.
   */
  private masksNear(points: ReadonlyArray<readonly [number, number]>): number[] {
    const frame = this.result.masks.frame;
    // Letterboxed masks leak up to ~1.5 prototype cells past their box (crop at prototype resolution,
    // then upsample), even when the frame is the identity (an image of exactly the input size).
    const reach = 8;
    const { xyxy } = this.result.boxes;
    const near: number[] = [];
    for (let i = 0; i < this.result.length; i++) {
      const [x1, y1] = imageToMask(frame, xyxy[i * 4], xyxy[i * 4 + 1]);
      const [x2, y2] = imageToMask(frame, xyxy[i * 4 + 2], xyxy[i * 4 + 3]);
      if (points.some(([x, y]) => x >= x1 - reach && x <= x2 + reach && y >= y1 - reach && y <= y2 + reach)) near.push(i);
    }
    return near;
  }

  /**
   * A one-detection Result holding a merged mask, empty or not (the reference always returns one); its box
   * is the mask's extent ([0, 0, 0, 0] when empty), its score the best of the masks that formed it.
   */
  private fromMergedMask(mask: Mask, contributors: Set<number>): Result {
    const frame = this.result.masks.frame;
    const bounds = mask.bounds();
    const xyxy = new Float32Array(4);
    const conf = new Float32Array(1);
    if (bounds) {
      const [x1, y1] = maskToImage(frame, bounds[0], bounds[1]);
      const [x2, y2] = maskToImage(frame, bounds[2], bounds[3]);
      const [h0, w0] = frame.origShape;
      xyxy.set([clamp(x1, 0, w0), clamp(y1, 0, h0), clamp(x2, 0, w0), clamp(y2, 0, h0)]);
      conf[0] = Math.max(0, ...[...contributors].map((i) => this.result.boxes.conf[i]));
    }
    const boxes = new Boxes(xyxy, conf, new Float32Array(1), frame.origShape);
    const masks = new Masks(new MaterializedMaskStore([mask], frame.shape), Uint32Array.of(0), frame.origShape);
    return new Result(frame.origShape, this.result.names, boxes, masks, this.result.speed, this.result.path, this.result.source);
  }
}

/** Applies one mask to the merge accumulator. */
function paint(mask: Mask, target: Int32Array, width: number, how: 'set' | 'clear' | 'add' | 'subtract'): void {
  for (let y = 0; y < mask.height; y++) {
    const row = (mask.y + y) * width + mask.x;
    for (let x = 0; x < mask.width; x++) {
      if (!mask.data[y * mask.width + x]) continue;
      const k = row + x;
      if (how === 'set') target[k] = 1;
      else if (how === 'clear') target[k] = 0;
      else target[k] += how === 'add' ? 1 : -1;
    }
  }
}
