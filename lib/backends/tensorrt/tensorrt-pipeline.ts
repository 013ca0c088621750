/**
 * The `tensorrt` backend: the whole predict on an NVIDIA GPU through the GPU addon. The ONNX is built into
 * a TensorRT engine (cached on disk, keyed by model, GPU, TensorRT version, precision and shapes), and
 * letterbox, inference, detection and mask assembly all run on the GPU with the CPU path's exact
 * arithmetic, so the Results are the same as on the CPU (up to the network's own FP16/TF32 rounding).
 */
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { cacheHome } from '../../cache/paths';
import { FastSAMError, messageOf } from '../../errors';
import type { DecodedImage } from '../../io/image';
import { wrapNative } from '../../native';
import { PackedMaskStore } from '../../masks/packed-store';
import type { ModelContract } from '../../pipeline/contract';
import type { TensorRtOptions } from '../../options/load-options';
import type { Pipeline, PipelineRequest, PipelineRun } from '../pipeline';
import type { GpuEngine, GpuEngineInfo, GpuImageResult, GpuStageTimes } from './binding';
import { requireGpu } from './load';

function defaultProgress(): (stage: string, fraction: number) => void {
  let last = '';
  return (stage, fraction) => {
    const line = fraction >= 0 ? `${stage} ${Math.round(fraction * 100)}%` : stage;
    if (line === last) return;
    last = line;
    process.stderr.write(`fastsam tensorrt: ${line}\n`);
  };
}

/** A progress callback that cannot throw: a report must never break a build that takes minutes. */
function quiet(onProgress: (stage: string, fraction: number) => void): (stage: string, fraction: number) => void {
  return (stage, fraction) => {
    try {
      onProgress(stage, fraction);
    } catch {
      // ignored on purpose
    }
  };
}

export class TensorRtPipeline implements Pipeline {
  readonly name = 'tensorrt' as const;
  readonly fixedInputSize: [number, number];
  readonly maxBatch: number;
  readonly preferredBatch: number;
  /** Requests run side by side on their own lanes (CUDA stream and buffers each); the engine makes more as needed. */
  readonly concurrency = Number.POSITIVE_INFINITY;

  private constructor(
    private engine: GpuEngine | undefined,
    readonly info: GpuEngineInfo,
    private readonly contract: ModelContract,
  ) {
    this.fixedInputSize = [info.inputShape[2], info.inputShape[3]];
    this.maxBatch = info.maxBatch;
    this.preferredBatch = info.maxBatch;
  }

  static async load(model: Uint8Array, contract: ModelContract, options: TensorRtOptions = {}): Promise<TensorRtPipeline> {
    const device = options.device ?? 0;
    const { binding } = requireGpu(device, { engine: true });
    let engine: GpuEngine;
    try {
      engine = await binding.createEngine!(
        model,
        {
          // The engine cache's key for the model (the native side keeps no hash of its own).
          onnxSha256: createHash('sha256').update(model).digest('hex'),
          device,
          precision: options.precision ?? 'fp16',
          maxBatch: options.maxBatch ?? 1,
          cacheDir: options.engineCacheDir ?? path.join(cacheHome(), 'engines'),
        },
        quiet(options.onProgress ?? defaultProgress()),
      );
    } catch (error) {
      // The addon codes a model it cannot run (not ONNX, dynamic image size, other outputs) E_MODEL_FORMAT;
      // anything else is TensorRT or CUDA failing.
      const unsuitable = error instanceof FastSAMError && error.code === 'E_MODEL_FORMAT';
      throw new FastSAMError(
        unsuitable ? 'E_MODEL_FORMAT' : 'E_BACKEND_UNAVAILABLE',
        `TensorRT could not build or load an engine for this model: ${messageOf(error)}`,
        { cause: error },
      );
    }
    engine = wrapNative(engine, ['info', 'dispose']);
    return new TensorRtPipeline(engine, engine.info(), contract);
  }

  /** Letterbox, TensorRT, detection and masks, all on the GPU; the masks come back bit-packed. */
  async run(images: DecodedImage[], request: PipelineRequest): Promise<PipelineRun> {
    if (!this.engine) throw new FastSAMError('E_DISPOSED', 'this model was disposed');
    let answer: { images: GpuImageResult[]; times: GpuStageTimes };
    try {
      answer = await this.engine.predict({
        images: images.map((image) => ({ rgb: image.rgb, width: image.width, height: image.height })),
        conf: request.conf,
        iou: request.iou,
        agnostic: request.agnosticNms,
        maxDet: request.maxDet,
        ...(request.classes ? { classes: request.classes } : {}),
        nc: this.contract.nc,
        fullImageBox: request.fullImageBox,
        mode: request.retinaMasks ? 'native' : 'letterbox',
        masks: true,
      });
    } catch (error) {
      throw new FastSAMError('E_INFERENCE', `TensorRT predict failed: ${messageOf(error)}`, { cause: error });
    }
    const { times } = answer;
    return {
      images: answer.images.map((image, b) => {
        const origShape: [number, number] = [images[b].height, images[b].width];
        const maskShape = request.retinaMasks ? origShape : request.inputSize;
        const masks = new PackedMaskStore(image.packed, image.windows, image.packedStarts, maskShape);
        return { origShape, boxes: image.boxes, conf: image.conf, cls: image.cls, masks };
      }),
      times: { preprocess: times.letterbox ?? 0, inference: times.inference ?? 0, postprocess: times.detect + times.masks },
    };
  }

  async dispose(): Promise<void> {
    this.engine?.dispose();
    this.engine = undefined;
  }
}
