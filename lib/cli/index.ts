#!/usr/bin/env node
/**
 * The `fastsam` command, Ultralytics style: `fastsam COMMAND key=value ... [--json] [--help]`.
 * User mistakes print one line and exit 2; no stack traces.
 */
import { FastSAMError } from '../errors';
import { FastSAM } from '../pipeline/fastsam';
import { gpuAvailability } from '../backends/tensorrt/load';
import { BACKEND_HELP, backendOptions } from './backend-args';
import { parseArgs, type ParsedArgs } from './args';
import { PREDICT_HELP, predictCommand } from './predict';
import { VAL_HELP, valCommand } from './val';
import { EXPORT_USAGE, exportCommand } from './export';

const USAGE = `usage: fastsam COMMAND key=value ... [--json] [--help]

commands:
  predict   segment images (fastsam predict --help)
  val       validate on a YOLO dataset, or evaluate COCO results (fastsam val --help)
  export    a checkpoint to ONNX, in Node alone: fastsam export model=FastSAM-s.pt imgsz=1024
  info      describe a model: fastsam info model=MODEL.onnx [--json]

--json prints one JSON object per line; errors print one line and exit 2.`;

const INFO_HELP = `fastsam info model=MODEL.onnx [--json]: task, classes, input shape, stride, backend, and what the GPU backend finds
${BACKEND_HELP}`;

/** The first GPU and TensorRT, or what the tensorrt backend would miss. */
function gpuSummary(): string {
  const { probe, missing } = gpuAvailability(0, { engine: true });
  const device = probe?.devices[0];
  const found = device
    ? `${device.name} (compute ${device.computeCapability.join('.')}), TensorRT ${probe?.tensorrt ?? 'not built in'}`
    : '';
  return missing.length === 0 ? found : `${found ? `${found}; ` : ''}tensorrt backend unavailable: missing ${missing.join('; ')}`;
}

async function info(args: ParsedArgs): Promise<void> {
  const modelPath = args.values.model;
  if (!modelPath) throw new FastSAMError('E_BAD_OPTION', 'missing model=... (see fastsam info --help)');
  const model = await FastSAM.load(modelPath, backendOptions(args.values));
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
  console.log(args.flags.has('json') ? JSON.stringify(summary) : text);
  await model.dispose();
}

const COMMANDS: Record<string, { help: string; run: (args: ParsedArgs) => Promise<number | void> }> = {
  predict: { help: PREDICT_HELP, run: (args) => predictCommand(args.values, args.flags) },
  val: { help: VAL_HELP, run: (args) => valCommand(args.values, args.flags) },
  export: { help: EXPORT_USAGE, run: (args) => exportCommand(args.values, args.flags) },
  info: { help: INFO_HELP, run: info },
};

export async function main(argv: string[]): Promise<number> {
  try {
    const args = parseArgs(argv);
    if (!args.command) {
      console.log(USAGE);
      return args.flags.has('help') ? 0 : 2;
    }
    const command = COMMANDS[args.command];
    if (!command)
      throw new FastSAMError('E_BAD_OPTION', `unknown command '${args.command}' (commands: ${Object.keys(COMMANDS).join(', ')})`);
    if (args.flags.has('help')) {
      console.log(command.help);
      return 0;
    }
    return (await command.run(args)) ?? 0;
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
