/**
 * An inference worker thread: owns one ONNX Runtime CPU session and runs it on request. onnxruntime-node's
 * `session.run()` is a synchronous native call on the calling thread, so it runs here, never on the
 * JavaScript thread that serves the event loop. Tensors arrive and leave as transferred buffers (no copy).
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import { type FromWorker, type ToWorker, transferList, type WireTensor, type WireTensors, type WorkerInit } from './session-messages';
import { lowerThisThread } from '../../threads/priority';
import { ortSessionOptions } from './session-options';

const port = parentPort!;
const init = workerData as WorkerInit;

function send(message: FromWorker, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

function toWire(tensor: ort.Tensor): WireTensor {
  // onnxruntime-node gives each output its own ArrayBuffer, so it can be transferred as it is.
  return { type: tensor.type as WireTensor['type'], data: tensor.data as WireTensor['data'], dims: tensor.dims.map(Number) };
}

async function main(): Promise<void> {
  lowerThisThread(init.settings.nice); // before the session exists: its thread pool inherits the priority
  let session: ort.InferenceSession;
  try {
    // ONNX Runtime reads only ArrayBuffer-backed bytes: a private copy of the shared model, dropped after loading.
    session = await ort.InferenceSession.create(new Uint8Array(init.model), ortSessionOptions(init.settings));
  } catch (error) {
    send({ type: 'load-failed', message: messageOf(error) });
    return;
  }
  const input = session.inputMetadata[0];
  send({
    type: 'ready',
    inputNames: [...session.inputNames],
    outputNames: [...session.outputNames],
    inputShape: input && input.isTensor ? [...input.shape] : [],
  });

  port.on('message', (message: ToWorker) => {
    if (message.type === 'close') {
      void session.release().finally(() => port.close());
      return;
    }
    // Anything else is a bug on the main thread: fail loudly (the pool replaces a worker that dies).
    if (message.type !== 'run') throw new Error(`unknown message ${JSON.stringify(message)}`);
    const feeds = Object.fromEntries(Object.entries(message.inputs).map(([name, t]) => [name, new ort.Tensor(t.type, t.data, t.dims)]));
    session
      .run(feeds)
      .then((outputs) => {
        const wire: WireTensors = Object.fromEntries(Object.entries(outputs).map(([name, t]) => [name, toWire(t)]));
        send({ type: 'result', id: message.id, outputs: wire }, transferList(wire));
      })
      .catch((error: unknown) => send({ type: 'run-failed', id: message.id, message: messageOf(error) }));
  });
}

void main();
