/**
 * fastsam predict model=M source=S [options] [--json]: segment every image of a file, folder, glob or
 * list; apply prompts given on the command line; save pictures and, on request, COCO JSON, YOLO labels
 * and PNG masks under runs/segment/predict*.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ClipScorer } from '../clip/scorer';
import { FastSAMError } from '../errors';
import type { CocoDetection } from '../formats/coco';
import { FastSAM } from '../pipeline/fastsam';
import { FastSAMPrompt, type PointMode } from '../prompts/prompt';
import type { Result } from '../masks/result';
import { boolArg, numberArg } from './args';
import { BACKEND_HELP, backendOptions } from './backend-args';
import { progressBar } from './progress';
import { type CliPrompts, parsePrompts } from './prompt-args';
import { incrementPath, runDir } from './save-dir';
import { expandSource } from './sources';

export const PREDICT_HELP = `fastsam predict model=MODEL.onnx source=PATH [key=value ...] [--json]

  source=        an image, a folder, a glob ("imgs/*.jpg") or a .txt list of paths
  imgsz= conf= iou= max_det= retina_masks=true|false agnostic_nms=true|false batch=N
${BACKEND_HELP}
  bboxes=[[x1,y1,x2,y2],...]  points=[[x,y],...]  labels=[1,0,...]  point_mode=merge|instances|additive
  texts="a dog|a cat" clip=DIR (CLIP encoders as ONNX + vocabulary)
  save=true|false (annotated images)  save_json=true (COCO results)  save_txt=true (YOLO labels)
  save_conf=true  save_masks=true (PNG index maps)  with_contours=true  better_quality=true
  project=runs/segment  name=predict  exist_ok=false
  --json   one JSON object per image on stdout (detections and RLE masks)`;

function required(values: Record<string, string>, key: string): string {
  const value = values[key];
  if (!value) throw new FastSAMError('E_BAD_OPTION', `missing ${key}=... (see fastsam predict --help)`);
  return value;
}

/** The reference's Inference.py priority: box, then text, then points, else everything. */
async function answer(prompt: FastSAMPrompt, result: Result, prompts: CliPrompts, mode: PointMode, clip?: ClipScorer): Promise<Result> {
  if (prompts.bboxes) return prompt.box(prompts.bboxes);
  if (prompts.texts && clip) return prompt.text(prompts.texts, { clip });
  if (prompts.points) return prompt.point(prompts.points, prompts.labels, { mode });
  return result;
}

const imageId = (file: string) => {
  const stem = path.parse(file).name;
  return /^\d+$/.test(stem) ? Number(stem) : stem;
};

export async function predictCommand(values: Record<string, string>, flags: Set<string>): Promise<number> {
  const json = flags.has('json');
  const files = await expandSource(required(values, 'source'));
  const prompts = parsePrompts(values);
  if (prompts.texts && !values.clip)
    throw new FastSAMError('E_BAD_OPTION', 'texts= needs clip=DIR (CLIP image and text encoders as ONNX, with the vocabulary)');
  const clip = prompts.texts ? await ClipScorer.load(values.clip) : undefined;
  const mode = (values.point_mode ?? 'merge') as PointMode;
  const save = boolArg(values, 'save') ?? true;
  const saveJson = boolArg(values, 'save_json') ?? false;
  const saveTxt = boolArg(values, 'save_txt') ?? false;
  const saveMasks = boolArg(values, 'save_masks') ?? false;
  const model = await FastSAM.load(required(values, 'model'), backendOptions(values));
  const saveDir =
    save || saveJson || saveTxt || saveMasks
      ? await incrementPath(runDir(values, 'segment', 'predict'), boolArg(values, 'exist_ok') ?? false)
      : undefined;
  const progress = progressBar(files.length, !json);
  const coco: CocoDetection[] = [];
  let failures = 0;
  try {
    const stream = model.stream(files, {
      imgsz: numberArg(values, 'imgsz'),
      conf: numberArg(values, 'conf'),
      iou: numberArg(values, 'iou'),
      maxDet: numberArg(values, 'max_det'),
      retinaMasks: boolArg(values, 'retina_masks'),
      agnosticNms: boolArg(values, 'agnostic_nms'),
      batch: numberArg(values, 'batch'),
    });
    for await (const item of stream) {
      const file = item.source as string;
      progress.tick();
      if (item.error) {
        failures++;
        if (json) console.log(JSON.stringify({ path: file, error: { code: item.error.code, message: item.error.message } }));
        else console.error(`fastsam: ${file}: ${item.error.message} [${item.error.code}]`);
        continue;
      }
      const prompt = new FastSAMPrompt(file, item.result);
      const picked = await answer(prompt, item.result, prompts, mode, clip);
      const stem = path.parse(file).name;
      let saved: string | undefined;
      if (saveDir && save) {
        // Pictures keep a JPEG source's format; every other format is written as PNG.
        saved = path.join(saveDir, /\.(jpe?g|png)$/i.test(file) ? path.basename(file) : `${path.parse(file).name}.png`);
        if (model.contract.isFastSAM) {
          await prompt.plot(picked, {
            output: saved,
            withContours: boolArg(values, 'with_contours') ?? false,
            betterQuality: boolArg(values, 'better_quality') ?? false,
            boxes: prompts.bboxes,
            points: prompts.points,
            labels: prompts.labels,
          });
        } else {
          await picked.plot({ output: saved });
        }
      }
      if (saveDir && saveTxt) {
        await fs.mkdir(path.join(saveDir, 'labels'), { recursive: true });
        const lines = await picked.toYOLO({ conf: boolArg(values, 'save_conf') ?? false });
        await fs.writeFile(path.join(saveDir, 'labels', `${stem}.txt`), lines.length ? `${lines.join('\n')}\n` : '');
      }
      if (saveDir && saveMasks) {
        await fs.mkdir(path.join(saveDir, 'masks'), { recursive: true });
        await fs.writeFile(path.join(saveDir, 'masks', `${stem}.png`), await picked.masks.toPNG({ indexMap: true }));
      }
      if (saveJson) coco.push(...(await picked.toCOCO(imageId(file))));
      if (json) {
        console.log(JSON.stringify({ ...picked.toJSON(), masks: await picked.masks.toRLE(), ...(saved ? { saved } : {}) }));
      } else if (!process.stderr.isTTY || files.length === 1) {
        const { preprocess, inference, postprocess } = picked.speed;
        console.log(
          `${file}: ${picked.length} masks, ${picked.origShape.join('x')} ` +
            `(${preprocess.toFixed(1)} ms preprocess, ${inference.toFixed(1)} ms inference, ${postprocess.toFixed(1)} ms postprocess)`,
        );
      }
    }
  } finally {
    progress.stop();
    await model.dispose();
    await clip?.dispose();
  }
  if (saveDir && saveJson) await fs.writeFile(path.join(saveDir, 'predictions.json'), JSON.stringify(coco));
  if (saveDir) console.error(`Results saved to ${saveDir}`);
  return failures > 0 ? 1 : 0;
}
