/**
 * The network for validation: the model's declared contract (classes, stride, fixed input) and an ONNX
 * Runtime CPU session that takes a letterboxed batch of any allowed shape.
 */
import { promises as fs } from 'node:fs';
import type { RawOutputs, RawTensor } from '../backends/pipeline';
import { SessionPool } from '../backends/cpu/session-pool';
import { type ModelContract, readContract } from '../pipeline/contract';
import { FastSAMError, messageOf } from '../errors';
import { readOnnxModelInfo } from '../onnx/model-info';

export interface ValModel {
  contract: ModelContract;
  source: string;
  run(batch: RawTensor): Promise<RawOutputs>;
  dispose(): Promise<void>;
}

export async function loadValModel(model: string | Uint8Array, threads?: number): Promise<ValModel> {
  let bytes: Uint8Array;
  const source = typeof model === 'string' ? model : '<buffer>';
  if (typeof model === 'string') {
    try {
      bytes = await fs.readFile(model);
    } catch (error) {
      throw new FastSAMError('E_FILE_NOT_FOUND', `model file not found: ${model}`, { cause: error });
    }
  } else bytes = model;
  let contract: ModelContract;
  try {
    contract = readContract(readOnnxModelInfo(bytes));
  } catch (error) {
    if (error instanceof FastSAMError) throw new FastSAMError(error.code, `${source}: ${error.message}`, { cause: error });
    throw new FastSAMError('E_MODEL_FORMAT', `${source} is not an ONNX model: ${messageOf(error)}`, { cause: error });
  }
  // The network runs on a worker thread like predict's: validation never blocks the event loop either.
  const pool = await SessionPool.create(bytes, { threads });
  return { contract, source, run: (batch) => pool.runRaw(batch), dispose: () => pool.dispose() };
}
