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
import { answerPrompts } from '../prompts/answer';
import { FastSAMPrompt } from '../prompts/prompt';
import '../plot/result-plot'; // Result.plot()
import type { CommandSchema, KeySpec, ParsedKeys } from '../options/key-schema';
import {
  BACKEND_KEYS,
  MODEL_KEY,
  PREDICT_KEYS,
  PROMPT_KEYS,
  VIDEO_KEYS,
  backendOptionsFromKeys,
  predictOptionsFromKeys,
  runKeys,
} from '../options/keys';
import { progressBar } from './progress';
import { promptsFromKeys } from './prompt-args';
import { runFolder } from './save-dir';
import { expandSource } from '../io/sources';
import { predictOnVideo } from './track';

const SAVE_KEYS: Record<string, KeySpec> = {
  save: { kind: 'boolean', help: 'annotated images', default: 'true' },
  save_json: { kind: 'boolean', help: 'COCO results (predictions.json)', default: 'false' },
  save_txt: { kind: 'boolean', help: 'YOLO label files', default: 'false' },
  save_conf: { kind: 'boolean', help: 'confidences in the YOLO labels', default: 'false' },
  save_masks: { kind: 'boolean', help: 'PNG index maps of the masks', default: 'false' },
  with_contours: { kind: 'boolean', help: 'draw mask outlines (FastSAM plots)', default: 'false' },
  better_quality: { kind: 'boolean', help: 'smooth masks before drawing (FastSAM plots)', default: 'false' },
  ...runKeys('predict'),
};

export const PREDICT_SCHEMA: CommandSchema = {
  name: 'predict',
  summary: 'segment every image of a file, folder, glob or list; apply prompts; save pictures and exports',
  usage: 'model=MODEL.onnx source=PATH [key=value ...] [--json]',
  keys: {
    ...MODEL_KEY,
    source: {
      kind: 'path',
      help: 'an image, a folder, a glob ("imgs/*.jpg") or a .txt list of paths; videos and streams frame by frame',
      required: true,
    },
    ...PREDICT_KEYS,
    ...VIDEO_KEYS,
    ...BACKEND_KEYS,
    ...PROMPT_KEYS,
    ...SAVE_KEYS,
  },
  flags: { json: 'one JSON object per image on stdout (detections and RLE masks)' },
};

const imageId = (file: string) => {
  const stem = path.parse(file).name;
  return /^\d+$/.test(stem) ? Number(stem) : stem;
};

export async function predictCommand(keys: ParsedKeys, flags: Set<string>): Promise<number> {
  // Video: sources holding a video or stream go frame by frame through lib/video (see ./track.ts).
  const videoExit = await predictOnVideo(keys, flags);
  if (videoExit !== undefined) return videoExit;

  const json = flags.has('json');
  const files = await expandSource(keys.source as string);
  const prompts = promptsFromKeys(keys);
  if (prompts.texts && !keys.clip) {
    throw new FastSAMError('E_BAD_OPTION', 'texts= needs clip=DIR (CLIP image and text encoders as ONNX, with the vocabulary)');
  }
  const options = predictOptionsFromKeys(keys);
  const clip = prompts.texts ? await ClipScorer.load(keys.clip as string) : undefined;
  const request = { ...prompts, clip };
  const flag = (key: string, fallback: boolean): boolean => (keys[key] as boolean | undefined) ?? fallback;
  const save = flag('save', true);
  const saveJson = flag('save_json', false);
  const saveTxt = flag('save_txt', false);
  const saveMasks = flag('save_masks', false);
  const saveDir = save || saveJson || saveTxt || saveMasks ? runFolder(keys, 'segment', 'predict') : undefined;
  const model = await FastSAM.load(keys.model as string, backendOptionsFromKeys(keys));
  const progress = progressBar(files.length, !json);
  const coco: CocoDetection[] = [];
  let failures = 0;
  try {
    const stream = model.stream(files, options);
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
      const picked = await answerPrompts(prompt, request);
      const stem = path.parse(file).name;
      let saved: string | undefined;
      if (saveDir && save) {
        // Pictures keep a JPEG source's format; every other format is written as PNG.
        saved = path.join(saveDir, /\.(jpe?g|png)$/i.test(file) ? path.basename(file) : `${path.parse(file).name}.png`);
        if (model.contract.isFastSAM) {
          await prompt.plot(picked, {
            output: saved,
            withContours: flag('with_contours', false),
            betterQuality: flag('better_quality', false),
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
        const lines = await picked.toYOLO({ conf: flag('save_conf', false) });
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
