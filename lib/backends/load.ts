/**
 * Picks and starts the backend a model runs on: 'cpu' (ONNX Runtime on worker threads), 'tensorrt' (the
 * GPU addon), or 'auto' (TensorRT when it loads here, else the CPU, saying why).
 */
import { messageOf } from '../errors';
import type { BackendOptions } from '../options/load-options';
import type { ModelContract } from '../pipeline/contract';
import { CpuPipeline } from './cpu/cpu-pipeline';
import type { Pipeline } from './pipeline';
import { gpuAvailability } from './tensorrt/load';
import { TensorRtPipeline } from './tensorrt/tensorrt-pipeline';

export interface LoadedPipeline {
  pipeline: Pipeline;
  /** What 'auto' picked and why. */
  note?: string;
}

export async function loadPipeline(model: Uint8Array, contract: ModelContract, options: BackendOptions): Promise<LoadedPipeline> {
  const requested = options.backend ?? 'cpu';
  if (requested === 'cpu') return { pipeline: await CpuPipeline.load(model, contract, options) };
  if (requested === 'tensorrt') return { pipeline: await TensorRtPipeline.load(model, contract, options) };
  const { missing } = gpuAvailability(options.device ?? 0, { engine: true });
  let why = `missing: ${missing.join('; ')}`;
  if (missing.length === 0) {
    try {
      const gpu = await TensorRtPipeline.load(model, contract, options);
      return { pipeline: gpu, note: `TensorRT ${gpu.info.tensorrt} on GPU ${gpu.info.device}` };
    } catch (error) {
      why = messageOf(error);
    }
  }
  const note = `the CPU (ONNX Runtime), because the tensorrt backend cannot run here (${why})`;
  process.emitWarning(`fastsam: backend 'auto' is using ${note}`, { code: 'FASTSAM_BACKEND_FALLBACK' });
  return { pipeline: await CpuPipeline.load(model, contract, options), note };
}
