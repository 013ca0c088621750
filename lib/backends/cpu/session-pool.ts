/**
 * ONNX Runtime sessions on worker threads: one session per worker, runs queued while every worker is busy.
 * The JavaScript thread only posts the input tensor (transferred, not copied) and receives the outputs
 * (transferred back). A worker that dies (an uncaught error, its heap exhausted) rejects the run it had
 * with E_INFERENCE and is replaced; dispose() lets queued runs finish, then ends every thread.
 *
 * Never terminate() a worker inside session.run(): onnxruntime-node then throws a C++ exception that
 * nothing catches and the whole process aborts. Workers are only ever closed when idle.
 */
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { FastSAMError } from '../../errors';
import type { RawOutputs, RawTensor } from '../pipeline';
import {
  type FromWorker,
  type SessionSettings,
  type SessionSignature,
  type ToWorker,
  transferList,
  type WireTensor,
  type WireTensors,
  type WorkerInit,
} from './session-messages';
import type { CpuThreadOptions } from '../../options/load-options';
import { sessionSettings } from './session-options';

interface Job {
  id: number;
  inputs: WireTensors;
  /** Whether the caller hands the input buffers over (else they are copied before going to the worker). */
  transfer: boolean;
  resolve: (outputs: WireTensors) => void;
  reject: (error: FastSAMError) => void;
}

interface Slot {
  worker: Worker;
  job?: Job;
  ready: boolean;
  /** Set once the worker is asked to close or has died: its exit is expected. */
  retired: boolean;
}

/** The worker's entry: the compiled .js beside us, or under ts-jest/tsx the .ts source run through tsx. */
function workerEntry(): { file: string; execArgv: string[] } {
  const fromSource = __filename.endsWith('.ts');
  const file = path.join(__dirname, `session-worker${fromSource ? '.ts' : '.js'}`);
  return { file, execArgv: fromSource ? ['--require', require.resolve('tsx/cjs')] : [] };
}

/** The tensor with a buffer the worker may take: the caller's own when handed over whole, else a copy. */
function ownBuffer(tensor: WireTensor, handedOver: boolean): WireTensor {
  const { data } = tensor;
  const whole = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength && !(data.buffer instanceof SharedArrayBuffer);
  return handedOver && whole ? tensor : { ...tensor, data: data.slice() };
}

export class SessionPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closing?: Promise<void>;
  private drained?: () => void;

  private constructor(
    private readonly init: WorkerInit,
    /** The model's input and output names, and its first input's dims. */
    readonly signature: SessionSignature,
  ) {}

  /** Starts `workers` threads and waits until each has its session; E_MODEL_FORMAT if ONNX Runtime refuses the model. */
  static async create(model: Uint8Array, options: CpuThreadOptions = {}): Promise<SessionPool> {
    // One copy of the model in shared memory serves every worker, including replacements.
    const shared = new Uint8Array(new SharedArrayBuffer(model.byteLength));
    shared.set(model);
    const init: WorkerInit = { model: shared, settings: sessionSettings(options) };
    const count = options.workers ?? 1;
    const first = await SessionPool.spawn(init);
    const pool = new SessionPool(init, first.signature);
    pool.adopt(first.slot);
    try {
      const rest = await Promise.all(Array.from({ length: count - 1 }, () => SessionPool.spawn(init)));
      for (const started of rest) pool.adopt(started.slot);
    } catch (error) {
      await pool.dispose();
      throw error;
    }
    return pool;
  }

  /** Threads each session runs with, as resolved. */
  get settings(): SessionSettings {
    return this.init.settings;
  }

  get workers(): number {
    return this.slots.length;
  }

  /**
   * Runs the session on named inputs. With `transfer`, the input buffers are handed over to the worker
   * (detached here: the caller must not use them again); without, they are copied.
   */
  run(inputs: WireTensors, { transfer = false }: { transfer?: boolean } = {}): Promise<WireTensors> {
    if (this.closing) return Promise.reject(new FastSAMError('E_DISPOSED', 'this model was disposed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, inputs, transfer, resolve, reject });
      this.pump();
    });
  }

  /** A YOLOv8-seg run: one float input batch in (handed over: its buffer is detached), output0 and output1 out. */
  async runRaw(batch: RawTensor): Promise<RawOutputs> {
    const [inputName] = this.signature.inputNames;
    const [name0, name1] = this.signature.outputNames;
    const outputs = await this.run({ [inputName]: { type: 'float32', data: batch.data, dims: batch.dims } }, { transfer: true });
    const raw = (name: string): RawTensor => {
      const tensor = outputs[name];
      if (!tensor || tensor.type !== 'float32') throw new FastSAMError('E_INFERENCE', `the model returned no float32 '${name}' output`);
      return { data: tensor.data as Float32Array, dims: tensor.dims };
    };
    return { output0: raw(name0), output1: raw(name1) };
  }

  /** Waits for queued and running batches, then ends every worker thread. */
  dispose(): Promise<void> {
    this.closing ??= (async () => {
      if (this.queue.length > 0 || this.slots.some((s) => s.job)) await new Promise<void>((resolve) => (this.drained = resolve));
      await Promise.all(this.slots.map((slot) => this.retire(slot)));
    })();
    return this.closing;
  }

  private static spawn(init: WorkerInit): Promise<{ slot: Slot; signature: SessionSignature }> {
    const { file, execArgv } = workerEntry();
    const worker = new Worker(file, { workerData: init, execArgv });
    return new Promise((resolve, reject) => {
      const onMessage = (message: FromWorker) => {
        if (message.type === 'ready') {
          worker.off('exit', onExit);
          worker.off('message', onMessage);
          const { type: _type, ...signature } = message;
          resolve({ slot: { worker, ready: true, retired: false }, signature });
        } else if (message.type === 'load-failed') {
          worker.off('exit', onExit);
          void worker.terminate();
          reject(new FastSAMError('E_MODEL_FORMAT', `ONNX Runtime cannot load the model: ${message.message}`));
        }
      };
      const onExit = (code: number) =>
        reject(new FastSAMError('E_INFERENCE', `the inference worker stopped while loading the model (exit code ${code})`));
      worker.on('message', onMessage);
      worker.once('exit', onExit);
      worker.once('error', () => undefined); // reported through 'exit'
    });
  }

  private adopt(slot: Slot): void {
    // An idle worker must not keep the process alive (a script that never calls dispose() still exits);
    // a busy one must, or an awaited run could be cut short by the process exiting.
    slot.worker.unref();
    this.slots.push(slot);
    slot.worker.on('message', (message: FromWorker) => this.onMessage(slot, message));
    slot.worker.on('error', () => undefined); // an uncaught error in the worker ends it: handled on 'exit'
    slot.worker.once('exit', (code) => this.onExit(slot, code));
    this.pump();
  }

  private onMessage(slot: Slot, message: FromWorker): void {
    const job = slot.job;
    if (!job || !('id' in message) || message.id !== job.id) return;
    slot.job = undefined;
    slot.worker.unref();
    if (message.type === 'result') job.resolve(message.outputs);
    else if (message.type === 'run-failed') job.reject(new FastSAMError('E_INFERENCE', `ONNX Runtime failed: ${message.message}`));
    this.pump();
  }

  private onExit(slot: Slot, code: number): void {
    const index = this.slots.indexOf(slot);
    if (index >= 0) this.slots.splice(index, 1);
    slot.job?.reject(new FastSAMError('E_INFERENCE', `the inference worker stopped (exit code ${code}) while running this batch`));
    slot.job = undefined;
    if (slot.retired) return;
    // An unexpected death: a replacement takes the slot; queued runs wait for it.
    SessionPool.spawn(this.init).then(
      ({ slot: replacement }) => (this.closing ? this.retire(replacement) : this.adopt(replacement)),
      (error: FastSAMError) => {
        // No worker can start: fail what waits rather than let it hang.
        if (this.slots.length === 0) for (const job of this.queue.splice(0)) job.reject(error);
        this.pump();
      },
    );
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) break;
      if (!slot.ready || slot.job || slot.retired) continue;
      const job = this.queue.shift()!;
      slot.job = job;
      slot.worker.ref();
      const inputs = Object.fromEntries(Object.entries(job.inputs).map(([name, tensor]) => [name, ownBuffer(tensor, job.transfer)]));
      const message: ToWorker = { type: 'run', id: job.id, inputs };
      slot.worker.postMessage(message, transferList(inputs));
    }
    if (this.drained && this.queue.length === 0 && this.slots.every((s) => !s.job)) {
      this.drained();
      this.drained = undefined;
    }
  }

  private async retire(slot: Slot): Promise<void> {
    if (slot.retired) return;
    slot.retired = true;
    if (slot.worker.threadId < 0) return; // already gone
    const exited = new Promise<void>((resolve) => slot.worker.once('exit', () => resolve()));
    slot.worker.postMessage({ type: 'close' } satisfies ToWorker);
    // An idle worker that does not close within a few seconds is terminated (safe: it runs nothing).
    const timer = setTimeout(() => void slot.worker.terminate(), 5000);
    await exited;
    clearTimeout(timer);
  }
}
