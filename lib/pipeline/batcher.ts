/**
 * Dynamic batching: concurrent predict() calls that arrive within a few milliseconds run through the
 * network as one batch (models with a dynamic batch axis), and each caller gets its own slice of the
 * outputs back. Off by default: it adds up to `windowMs` of latency to a lone request.
 */
import type { RawOutputs, RawTensor } from '../backends/pipeline';

export interface DynamicBatchingOptions {
  /** Largest batch sent to the network. Default 8. */
  maxBatch?: number;
  /** How long the first request waits for company. Default 2 ms. */
  windowMs?: number;
}

interface Waiting {
  tensor: RawTensor;
  resolve: (outputs: RawOutputs) => void;
  reject: (error: unknown) => void;
}

/** Images [from, to) of a batched output, as views (no copy). */
function slice(tensor: RawTensor, from: number, to: number): RawTensor {
  const per = tensor.data.length / tensor.dims[0];
  return { data: tensor.data.subarray(from * per, to * per), dims: [to - from, ...tensor.dims.slice(1)] };
}

/** The outputs of the first `n` images of a batch (views). */
export function firstImages(outputs: RawOutputs, n: number): RawOutputs {
  return { output0: slice(outputs.output0, 0, n), output1: slice(outputs.output1, 0, n) };
}

export class DynamicBatcher {
  private queue: Waiting[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly maxBatch: number;
  private readonly windowMs: number;

  constructor(
    private readonly run: (tensor: RawTensor) => Promise<RawOutputs>,
    options: DynamicBatchingOptions = {},
  ) {
    this.maxBatch = options.maxBatch ?? 8;
    this.windowMs = options.windowMs ?? 2;
  }

  submit(tensor: RawTensor): Promise<RawOutputs> {
    return new Promise((resolve, reject) => {
      this.queue.push({ tensor, resolve, reject });
      if (this.pendingImages() >= this.maxBatch) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.windowMs);
    });
  }

  private pendingImages(): number {
    return this.queue.reduce((n, w) => n + w.tensor.dims[0], 0);
  }

  /** Sends the queued requests: consecutive ones of the same shape share a batch of at most maxBatch images. */
  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const queued = this.queue;
    this.queue = [];
    while (queued.length > 0) {
      const group = [queued.shift()!];
      const key = group[0].tensor.dims.slice(1).join('x');
      let images = group[0].tensor.dims[0];
      while (queued.length > 0 && queued[0].tensor.dims.slice(1).join('x') === key && images + queued[0].tensor.dims[0] <= this.maxBatch) {
        images += queued[0].tensor.dims[0];
        group.push(queued.shift()!);
      }
      void this.runGroup(group, images);
    }
  }

  private async runGroup(group: Waiting[], images: number): Promise<void> {
    try {
      let tensor = group[0].tensor;
      if (group.length > 1) {
        const data = new Float32Array(group.reduce((n, w) => n + w.tensor.data.length, 0));
        let at = 0;
        for (const w of group) {
          data.set(w.tensor.data, at);
          at += w.tensor.data.length;
        }
        tensor = { data, dims: [images, ...group[0].tensor.dims.slice(1)] };
      }
      const outputs = await this.run(tensor);
      let from = 0;
      for (const w of group) {
        const to = from + w.tensor.dims[0];
        w.resolve({ output0: slice(outputs.output0, from, to), output1: slice(outputs.output1, from, to) });
        from = to;
      }
    } catch (error) {
      for (const w of group) w.reject(error);
    }
  }
}
