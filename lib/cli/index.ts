#!/usr/bin/env node
/**
 * The `fastsam` command, Ultralytics style: `fastsam COMMAND key=value ... [--json] [--help]`.
 * User mistakes print one line and exit 2; no stack traces.
 */
import { FastSAMError } from '../errors';
import { FastSAM } from '../pipeline/fastsam';
import { gpuAvailability } from '../backends/tensorrt/load';
import { checkFlags, type CommandSchema, helpText, type ParsedKeys, parseKeys } from '../options/key-schema';
import { BACKEND_KEYS, MODEL_KEY, backendOptionsFromKeys } from '../options/keys';
import { parseArgs } from './args';
import { PREDICT_SCHEMA, predictCommand } from './predict';
import { VAL_SCHEMA, valCommand } from './val';
import { EXPORT_SCHEMA, exportCommand } from './export';
import { TRACK_SCHEMA, trackCommand } from './track';
import { SERVE_SCHEMA, serveCommand } from './serve';
import { WORKER_SCHEMA, workerCommand } from './worker';
import { ENQUEUE_SCHEMA, enqueueCommand } from './enqueue';

const USAGE = `usage: fastsam COMMAND key=value ... [--json] [--help]

commands:
  predict   segment images (fastsam predict --help)
  track     track objects through a video or stream (fastsam track --help)
  val       validate on a YOLO dataset, or evaluate COCO results (fastsam val --help)
  export    a checkpoint to ONNX, in Node alone: fastsam export model=FastSAM-s.pt imgsz=1024
  info      describe a model: fastsam info model=MODEL.onnx [--json]
  serve     the HTTP service and web demo: fastsam serve model=MODEL.onnx port=8000 (fastsam serve --help)
  worker    answer jobs from a Redis queue (BullMQ) with a model (fastsam worker --help)
  enqueue   submit a folder to a queue's workers and write their answers (fastsam enqueue --help)

--json prints one JSON object per line; errors print one line and exit 2.`;

const INFO_SCHEMA: CommandSchema = {
  name: 'info',
  summary: 'describe a model: task, classes, input shape, stride, backend, and what the GPU backend finds',
  usage: 'model=MODEL.onnx [key=value ...] [--json]',
  keys: { ...MODEL_KEY, ...BACKEND_KEYS },
  flags: { json: 'one JSON line' },
};

/** The first GPU and TensorRT, or what the tensorrt backend would miss. */
function gpuSummary(): string {
  const { probe, missing } = gpuAvailability(0, { engine: true });
  const device = probe?.devices[0];
  const found = device ? `${device.name} (compute ${device.computeCapability.join('.')}), TensorRT ${probe?.tensorrt ?? 'not usable'}` : '';
  return missing.length === 0 ? found : `${found ? `${found}; ` : ''}tensorrt backend unavailable: missing ${missing.join('; ')}`;
}

async function info(keys: ParsedKeys, flags: Set<string>): Promise<void> {
  const model = await FastSAM.load(keys.model as string, backendOptionsFromKeys(keys));
  const c = model.contract;
  const summary = {
    model: model.source,
    task: c.isFastSAM ? 'fastsam' : 'segment',
    classes: c.nc,
    input: c.fixedSize ? [c.fixedBatch ?? 'batch', 3, ...c.fixedSize] : 'dynamic',
    imgsz: c.imgsz,
    stride: c.stride,
    backend: model.backendName,
    gpu: gpuSummary(),
  };
  const text = Object.entries(summary)
    .map(([k, v]) => `${k}: ${JSON.stringify(v)}`)
    .join('\n');
  console.log(flags.has('json') ? JSON.stringify(summary) : text);
  await model.dispose();
}

interface Command {
  schema: CommandSchema;
  run: (keys: ParsedKeys, flags: Set<string>) => Promise<number | void>;
}

/** Every command, with the key schema its arguments are checked against (and its help generated from). */
export const COMMANDS: Record<string, Command> = {
  predict: { schema: PREDICT_SCHEMA, run: predictCommand },
  val: { schema: VAL_SCHEMA, run: valCommand },
  export: { schema: EXPORT_SCHEMA, run: exportCommand },
  info: { schema: INFO_SCHEMA, run: info },
  track: { schema: TRACK_SCHEMA, run: trackCommand },
  serve: { schema: SERVE_SCHEMA, run: serveCommand },
  worker: { schema: WORKER_SCHEMA, run: workerCommand },
  enqueue: { schema: ENQUEUE_SCHEMA, run: enqueueCommand },
};

/** Runs one command on raw `key=value` strings: checked against its schema, then run; errors are thrown. */
export async function runCommand(name: string, values: Record<string, string>, flags: Set<string>): Promise<number> {
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) throw new FastSAMError('E_BAD_OPTION', `unknown command '${name}' (commands: ${Object.keys(COMMANDS).join(', ')})`);
  if (flags.has('help')) {
    console.log(helpText(command.schema));
    return 0;
  }
  checkFlags(command.schema, flags);
  return (await command.run(parseKeys(command.schema, values), flags)) ?? 0;
}

export async function main(argv: string[]): Promise<number> {
  try {
    const args = parseArgs(argv);
    if (!args.command) {
      console.log(USAGE);
      return args.flags.has('help') ? 0 : 2;
    }
    return await runCommand(args.command, args.values, args.flags);
  } catch (error) {
    if (error instanceof FastSAMError) {
      console.error(`fastsam: ${error.message} [${error.code}]`);
      return 2;
    }
    throw error;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
