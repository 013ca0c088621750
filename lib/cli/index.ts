#!/usr/bin/env node
/**
 * The `fastsam` command, Ultralytics style:
 *   fastsam predict model=FastSAM-s.onnx source=bus.jpg [imgsz=640 conf=0.4 iou=0.9 retina_masks=true max_det=300] [--json]
 *   fastsam info model=FastSAM-s.onnx [--json]
 * User mistakes print one line and exit 2; no stack traces.
 */
import { FastSAMError } from '../errors';
import { FastSAM } from '../model';
import { boolArg, numberArg, parseArgs, type ParsedArgs } from './args';

const USAGE = `usage:
  fastsam predict model=MODEL.onnx source=IMAGE [imgsz=N conf=F iou=F retina_masks=true|false max_det=N] [--json]
  fastsam info model=MODEL.onnx [--json]
--json prints one JSON object per line (with masks as COCO RLE for predict).`;

function required(args: ParsedArgs, key: string): string {
  const value = args.values[key];
  if (!value) throw new FastSAMError('E_BAD_OPTION', `missing ${key}=...\n${USAGE}`);
  return value;
}

async function predict(args: ParsedArgs): Promise<void> {
  const model = await FastSAM.load(required(args, 'model'));
  try {
    const results = await model.predict(required(args, 'source'), {
      imgsz: numberArg(args.values, 'imgsz'),
      conf: numberArg(args.values, 'conf'),
      iou: numberArg(args.values, 'iou'),
      maxDet: numberArg(args.values, 'max_det'),
      retinaMasks: boolArg(args.values, 'retina_masks'),
    });
    for (const result of results) {
      if (args.flags.has('json')) {
        console.log(JSON.stringify({ ...result.toJSON(), masks: await result.masks.toRLE() }));
      } else {
        const { preprocess, inference, postprocess } = result.speed;
        console.log(
          `${result.path ?? 'image'}: ${result.length} masks, ${result.origShape.join('x')} ` +
            `(${preprocess.toFixed(1)} ms preprocess, ${inference.toFixed(1)} ms inference, ${postprocess.toFixed(1)} ms postprocess)`,
        );
      }
    }
  } finally {
    await model.dispose();
  }
}

async function info(args: ParsedArgs): Promise<void> {
  const model = await FastSAM.load(required(args, 'model'));
  const c = model.contract;
  const summary = {
    model: model.source,
    task: c.isFastSAM ? 'fastsam' : 'segment',
    classes: c.nc,
    input: c.fixedSize ? [c.fixedBatch ?? 'batch', 3, ...c.fixedSize] : 'dynamic',
    imgsz: c.imgsz,
    stride: c.stride,
    backend: model.backendName,
  };
  console.log(args.flags.has('json') ? JSON.stringify(summary) : Object.entries(summary).map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join('\n'));
  await model.dispose();
}

export async function main(argv: string[]): Promise<number> {
  try {
    const args = parseArgs(argv);
    if (args.flags.has('help') || !args.command) {
      console.log(USAGE);
      return args.command || args.flags.has('help') ? 0 : 2;
    }
    if (args.command === 'predict') await predict(args);
    else if (args.command === 'info') await info(args);
    else throw new FastSAMError('E_BAD_OPTION', `unknown command '${args.command}'\n${USAGE}`);
    return 0;
  } catch (error) {
    if (error instanceof FastSAMError) {
      console.error(`fastsam: ${error.message} [${error.code}]`);
      return 2;
    }
    throw error;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
