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
import { type DecodedImage, decodeImage, type ImageSource } from '../io/image';
import { Mask } from '../masks/mask';
import { imageToMask, maskToImage } from '../masks/mask-frame';
import { measureMasks, paintMasks } from '../masks/mask-ops';
import { MaterializedMaskStore, Masks } from '../masks/masks';
import { native } from '../native';
import { invalid } from '../options/check';
import { type PromptPlotOptions, plotPrompt } from '../plot/prompt-plot';
import { Result } from '../masks/result';
import { checkBoxes, checkLabels, checkPointMode, checkPoints } from './check-prompts';
import {
  type BoxPrompt,
  decidePoints,
  measuresFromTables,
  type PaintOp,
  planBoxes,
  planPoints,
  type PointMode,
  type PointPrompt,
  selectByBoxes,
} from './rules';

export type { BoxPrompt, PointMode, PointPrompt } from './rules';

const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);

/** Stands in for masks that were not rendered because no point can hit them. */
const EMPTY_MASK = new Mask(0, 0, 0, 0, new Uint8Array(0), [0, 0]);

/**
 * FastSAM's second stage: pick the regions a box, point or text prompt asks for from a Result (the FastSAM repository's
 * FastSAMPrompt semantics by default, Ultralytics' as options). Prompts are in original image pixels. Bad prompts throw
 * E_BAD_PROMPT.
 */
export class FastSAMPrompt {
  private readonly result: Result;
  private image?: Promise<DecodedImage>;

  /** `source` is the image the results came from (used by plots and text prompts). */
  constructor(
    private readonly source: ImageSource,
    results: Result | Result[],
  ) {
    const result = Array.isArray(results) ? results[0] : results;
    if (!(result instanceof Result)) invalid('results', 'the Result (or Result[]) returned by predict()', results, 'E_BAD_PROMPT');
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
    const plan = planBoxes(checkBoxes(boxes), this.result.masks.frame);
    if (this.result.length === 0) return this.result;
    const masks = await this.result.masks.all();
    const measured = await measureMasks(masks, { rects: plan.rects });
    return this.result.select(selectByBoxes(plan, measuresFromTables(masks.length, measured)));
  }

  /** Points with labels (1 foreground, 0 background; default all 1). See PointMode for the modes. */
  async point(points: PointPrompt | PointPrompt[], labels?: number[], options?: { mode?: PointMode }): Promise<Result> {
    const checked = checkPoints(points);
    const plan = planPoints(checked, checkLabels(labels, checked.length), this.result.masks.frame, checkPointMode(options));
    if (this.result.length === 0) return this.result;

    // Only masks whose box can hold a point are rendered: a mask outside every point is never hit.
    const candidates = await this.masksNear(plan.pixels);
    const rendered = await this.result.masks.all(candidates);
    const masks: Mask[] = Array.from({ length: this.result.length }, () => EMPTY_MASK);
    candidates.forEach((row, i) => {
      masks[row] = rendered[i];
    });
    const measured = await measureMasks(masks, { pixels: plan.pixels });
    const decision = decidePoints(plan, measuresFromTables(masks.length, measured));
    if (decision.kind === 'select') return this.result.select(decision.indices);
    const merged = await paintMasks(masks, encodeOps(decision.ops), this.result.masks.frame.shape);
    return this.fromMergedMask(merged, decision.contributors);
  }

  /**
   * The mask whose image region best matches each text, scored by CLIP (softmax of 100 × cosine over the
   * masks larger than `minArea`, as the reference). One detection per text, deduplicated, in text order;
   * an empty Result when no mask is large enough. `selectByText` gives every score.
   */
  async text(texts: string | string[], options: SelectByTextOptions & { clip: ClipScorer }): Promise<Result> {
    const list = Array.isArray(texts) ? texts : [texts];
    if (list.length === 0 || !list.every((t) => typeof t === 'string' && t.trim().length > 0)) {
      invalid('texts', 'one or more non-empty strings', texts, 'E_BAD_PROMPT');
    }
    if (!options?.clip) invalid('text() options', '{ clip }: a ClipScorer (ClipScorer.load(dir))', options, 'E_BAD_PROMPT');
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
    if (!(annotations instanceof Result)) invalid('annotations', 'a Result (from a prompt or everything())', annotations, 'E_BAD_PROMPT');
    const canvas = await plotPrompt(await this.decodedImage(), annotations, options);
    return options.output ? canvas.save(options.output) : canvas.encode('png');
  }

  /**
   * Detections whose box, mapped to mask pixels and widened by the upsampling reach (letterboxed masks
   * leak up to one prototype cell outside their box), contains one of the points.
   */
  private async masksNear(pixels: Int32Array): Promise<number[]> {
    const frame = this.result.masks.frame;
    // Letterboxed masks leak up to ~1.5 prototype cells past their box (crop at prototype resolution,
    // then upsample), even when the frame is the identity (an image of exactly the input size).
    const reach = 8;
    const { xyxy } = this.result.boxes;
    const boxes = new Float64Array(this.result.length * 4);
    for (let i = 0; i < this.result.length; i++) {
      boxes.set(imageToMask(frame, xyxy[i * 4], xyxy[i * 4 + 1]), i * 4);
      boxes.set(imageToMask(frame, xyxy[i * 4 + 2], xyxy[i * 4 + 3]), i * 4 + 2);
    }
    return Array.from(await native().masksNearPoints(boxes, pixels, { reach }));
  }

  /**
   * A one-detection Result holding a merged mask, empty or not (the reference always returns one); its box
   * is the mask's extent ([0, 0, 0, 0] when empty), its score the best of the masks that formed it.
   */
  private fromMergedMask(mask: Mask, contributors: number[]): Result {
    const frame = this.result.masks.frame;
    const xyxy = new Float32Array(4);
    const conf = new Float32Array(1);
    if (mask.width > 0) {
      // The painted mask is tight: its window is its extent.
      const [x1, y1] = maskToImage(frame, mask.x, mask.y);
      const [x2, y2] = maskToImage(frame, mask.x + mask.width, mask.y + mask.height);
      const [h0, w0] = frame.origShape;
      xyxy.set([clamp(x1, 0, w0), clamp(y1, 0, h0), clamp(x2, 0, w0), clamp(y2, 0, h0)]);
      conf[0] = contributors.reduce((best, i) => Math.max(best, this.result.boxes.conf[i]), 0);
    }
    const boxes = new Boxes(xyxy, conf, new Float32Array(1), frame.origShape);
    const masks = new Masks(new MaterializedMaskStore([mask], frame.shape), Uint32Array.of(0), frame.origShape, frame);
    return new Result(frame.origShape, this.result.names, boxes, masks, this.result.speed, this.result.path, this.result.source);
  }
}

const PAINT_KINDS = { set: 0, clear: 1, add: 2 } as const;

/** A paint plan as the native painter takes it: k x [mask, kind, amount]. */
function encodeOps(ops: PaintOp[]): Int32Array {
  const out = new Int32Array(ops.length * 3);
  ops.forEach((op, k) => out.set([op.mask, PAINT_KINDS[op.op], op.op === 'add' ? op.amount : 0], k * 3));
  return out;
}
