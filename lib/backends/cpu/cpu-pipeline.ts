/**
 * The `cpu` backend: native letterbox, ONNX Runtime's CPU execution provider on worker threads, native
 * detection, lazy masks. The default that works everywhere.
 */
import type { DecodedImage } from '../../io/image';
import { MAX_BATCH } from '../../options/limits';
import type { CpuThreadOptions } from '../../options/load-options';
import type { ModelContract } from '../../pipeline/contract';
import type { CpuThreading, Pipeline, PipelineRequest, PipelineRun, RawOutputs, RawTensor } from '../pipeline';
import { detectOutputs, readOutputLayout } from './detect-outputs';
import { letterboxBatch } from './letterbox-batch';
import { SessionPool } from './session-pool';

/** Images [0, n) of a batched output, as views (no copy). */
function firstImages(outputs: RawOutputs, n: number): RawOutputs {
  const head = (t: RawTensor): RawTensor => ({ data: t.data.subarray(0, (t.data.length / t.dims[0]) * n), dims: [n, ...t.dims.slice(1)] });
  return outputs.output0.dims[0] === n ? outputs : { output0: head(outputs.output0), output1: head(outputs.output1) };
}

export class CpuPipeline implements Pipeline {
  readonly name = 'cpu' as const;
  readonly fixedInputSize: [number, number] | null;
  readonly maxBatch: number;
  readonly preferredBatch: number;

  private constructor(
    private readonly pool: SessionPool,
    private readonly contract: ModelContract,
  ) {
    this.fixedInputSize = contract.fixedSize;
    // A fixed-batch export takes exactly its batch; a dynamic one anything. On the CPU one image at a time
    // is as fast as any batch (the cores are busy either way), and answers sooner.
    this.maxBatch = contract.fixedBatch ?? MAX_BATCH;
    this.preferredBatch = contract.fixedBatch ?? 1;
  }

  static async load(model: Uint8Array, contract: ModelContract, options: CpuThreadOptions = {}): Promise<CpuPipeline> {
    return new CpuPipeline(await SessionPool.create(model, options), contract);
  }

  /**
   * Two runs per worker: while one is on the network, the next letterboxes (and the one before detects),
   * so the worker never waits for the JavaScript side between runs. More would only queue in the pool.
   */
  get concurrency(): number {
    return this.pool.workers * 2;
  }

  /** The ONNX Runtime threading as resolved, for `fastsam info` and benchmarks. */
  get threading(): CpuThreading {
    const s = this.pool.settings;
    const nice = process.platform === 'linux' ? s.nice : 0;
    return { workers: this.pool.workers, intraOp: s.intraOpNumThreads, interOp: s.interOpNumThreads, spinning: s.spinning, nice };
  }

  /** The network alone on a letterboxed batch (validation feeds its own letterbox). */
  infer(tensor: RawTensor): Promise<RawOutputs> {
    return this.pool.runRaw(tensor);
  }

  async run(images: DecodedImage[], request: PipelineRequest): Promise<PipelineRun> {
    const started = performance.now();
    const { tensor } = await letterboxBatch(images, request.inputSize, this.contract.stride, this.contract.fixedBatch ?? images.length);
    const letterboxed = performance.now();
    const outputs = firstImages(await this.pool.runRaw(tensor), images.length);
    const inferred = performance.now();
    const detections = await detectOutputs(
      outputs,
      readOutputLayout(outputs),
      request,
      images.map((image) => [image.height, image.width]),
    );
    return {
      images: detections,
      times: { preprocess: letterboxed - started, inference: inferred - letterboxed, postprocess: performance.now() - inferred },
    };
  }

  dispose(): Promise<void> {
    return this.pool.dispose();
  }
}
