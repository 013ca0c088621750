/** The `cpu` backend: ONNX Runtime's CPU execution provider, the default that works everywhere. */
import * as ort from 'onnxruntime-node';
import { FastSAMError, messageOf } from '../../errors';
import type { Backend, BackendOptions, RawOutputs, RawTensor } from '../pipeline';

function toRaw(value: ort.Tensor | undefined, name: string): RawTensor {
  if (!value || value.type !== 'float32') {
    throw new FastSAMError('E_INFERENCE', `the model returned no float32 '${name}' output`);
  }
  return { data: value.data as Float32Array, dims: value.dims.map(Number) };
}

export class OnnxRuntimeBackend implements Backend {
  readonly name = 'cpu' as const;

  private constructor(
    private readonly session: ort.InferenceSession,
    readonly inputShape: ReadonlyArray<number | string>,
    private readonly outputNames: [string, string],
  ) {}

  static async load(model: Uint8Array, options: BackendOptions = {}): Promise<OnnxRuntimeBackend> {
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(model, {
        executionProviders: ['cpu'],
        graphOptimizationLevel: 'all',
        ...(options.threads ? { intraOpNumThreads: options.threads } : {}),
      });
    } catch (error) {
      throw new FastSAMError('E_MODEL_FORMAT', `ONNX Runtime cannot load the model: ${messageOf(error)}`, {
        cause: error,
      });
    }
    const input = session.inputMetadata[0];
    const shape = input && input.isTensor ? input.shape : [];
    const [first, second] = session.outputNames;
    return new OnnxRuntimeBackend(session, shape, [first, second]);
  }

  async run(batch: RawTensor): Promise<RawOutputs> {
    const input = new ort.Tensor('float32', batch.data, batch.dims);
    let outputs: ort.InferenceSession.OnnxValueMapType;
    try {
      outputs = await this.session.run({ [this.session.inputNames[0]]: input });
    } catch (error) {
      throw new FastSAMError('E_INFERENCE', `ONNX Runtime failed: ${messageOf(error)}`, { cause: error });
    }
    const [name0, name1] = this.outputNames;
    return { output0: toRaw(outputs[name0], name0), output1: toRaw(outputs[name1], name1) };
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}
