// Text-prompt throughput: 300 candidate masks scored by CLIP, stage by stage, then selectByText end to
// end (which overlaps crops with encoding). The CLIP encoders are the designed fixtures
// (scripts/fixtures/clip-models.ts): their "encode" time is ONNX Runtime overhead plus a mean pool, not
// ViT-B/32's. The image is ../shared/data/images/bus.jpg (810 x 1080) when present, else a drawn one.
//
//   npx tsx scripts/bench-clip.ts [--runs 3]

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { FastSAM } from '../lib/pipeline/fastsam';
import { decodeImage } from '../lib/io/image';
import { ClipScorer, selectByText } from '../lib/clip';
import { maskedCrop, windowOfBounds } from '../lib/clip/crops';
import { measureMasks } from '../lib/masks/mask-ops';
import { softmaxScores } from '../lib/clip/similarity';
import { colourImageEncoder, colourTextEncoder } from './fixtures/clip-models';
import { drawShapes } from './fixtures/clip-scene';
import { miniClipVocab } from './fixtures/clip-vocab';
import { MASK_COEFS, tinySegmentModel, type TinyBox } from './fixtures/tiny-models';
import { seededRandom } from '../lib/plot/random';

const CANDIDATES = 300;
const SIZE = 640;
const BATCH = 32;
const BUS = path.resolve(__dirname, '../../shared/data/images/bus.jpg');

/** 300 boxes of 16-320 px, away from the border (FastSAM snaps edges within 20 px); masks = boxes. */
function segmentationModel(): Uint8Array {
  const random = seededRandom(42);
  const boxes: TinyBox[] = Array.from({ length: CANDIDATES }, (_, k) => {
    const w = 16 + random() * 304;
    const h = 16 + random() * 304;
    const coef = new Array<number>(MASK_COEFS).fill(0);
    coef[k % MASK_COEFS] = 1;
    return {
      cx: 22 + w / 2 + random() * (SIZE - 44 - w),
      cy: 22 + h / 2 + random() * (SIZE - 44 - h),
      w,
      h,
      score: 0.5 + 0.49 * random(),
      coef,
    };
  });
  return tinySegmentModel({ size: SIZE, boxes, protos: new Float32Array(MASK_COEFS * (SIZE / 4) ** 2).fill(1) });
}

async function benchImage(): Promise<{ rgb: Uint8Array; width: number; height: number; label: string }> {
  if (fs.existsSync(BUS)) return { ...(await decodeImage(BUS)), label: 'bus.jpg 810x1080' };
  const shapes = Array.from({ length: 40 }, (_, i) => ({
    colour: [(i * 53) % 256, (i * 97) % 256, (i * 31) % 256] as [number, number, number],
    box: [(i * 37) % 700, (i * 61) % 900, ((i * 37) % 700) + 100, ((i * 61) % 900) + 150] as [number, number, number, number],
    score: 1,
  }));
  return { rgb: drawShapes(810, 1080, shapes), width: 810, height: 1080, label: 'drawn 810x1080 (../shared absent)' };
}

async function clipFixture(): Promise<ClipScorer> {
  const vocab = miniClipVocab();
  const colourIds = { red: vocab.vocab['red</w>'], green: vocab.vocab['green</w>'], blue: vocab.vocab['blue</w>'] };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-clip-'));
  fs.writeFileSync(path.join(dir, 'vision_model.onnx'), colourImageEncoder({ colourIds }));
  fs.writeFileSync(path.join(dir, 'text_model.onnx'), colourTextEncoder({ colourIds }));
  fs.writeFileSync(path.join(dir, 'tokenizer.json'), vocab.tokenizerJson);
  const scorer = await ClipScorer.load(dir);
  fs.rmSync(dir, { recursive: true, force: true });
  return scorer;
}

const ms = (t0: number) => performance.now() - t0;
const fmt = (v: number) => `${v.toFixed(1).padStart(8)} ms`;

async function main(): Promise<void> {
  const runsArg = process.argv.indexOf('--runs');
  const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 3;
  const cpus = os.cpus();
  console.log(
    `machine: ${cpus.length} x ${cpus[0]?.model ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}, onnxruntime-node ${ort.env.versions.common}`,
  );

  const image = await benchImage();
  const model = await FastSAM.load(segmentationModel());
  const [result] = await model.predict(
    { data: image.rgb, width: image.width, height: image.height, channels: 3 },
    { iou: 0.99, maxDet: CANDIDATES },
  );
  await model.dispose();
  const scorer = await clipFixture();
  console.log(`image: ${image.label}; ${result.length} retina masks; CLIP: designed fixture encoders, batch ${BATCH}\n`);

  for (let run = 1; run <= runs; run++) {
    console.log(`run ${run}`);
    for (const crop of ['reference', 'masked'] as const) {
      let t0 = performance.now();
      const masks = await result.masks.all();
      const tMasks = ms(t0);

      const preprocessor = scorer.createPreprocessor();
      const plane = 3 * scorer.imageSize * scorer.imageSize;
      const { areas, bounds } = await measureMasks(masks);
      const candidates = masks.flatMap((_, i) => (areas[i] > 100 ? [i] : []));
      const batches: Float32Array[] = [];
      t0 = performance.now();
      for (let k = 0; k < candidates.length; k += BATCH) {
        const chunk = candidates.slice(k, k + BATCH);
        if (crop === 'reference') {
          const windows = chunk.map((i) => windowOfBounds(bounds.subarray(i * 4, i * 4 + 4), result.masks.frame));
          batches.push(await preprocessor.run(image, windows, true));
          continue;
        }
        const batch = new Float32Array(chunk.length * plane);
        for (const [j, i] of chunk.entries()) {
          const cut = maskedCrop(image, masks[i], result.boxes.xyxy.subarray(i * 4, i * 4 + 4), result.masks.frame);
          batch.set(await preprocessor.run(cut, [[0, 0, cut.width, cut.height]]), j * plane);
        }
        batches.push(batch);
      }
      const tCrops = ms(t0);

      t0 = performance.now();
      const embeddings: Float32Array[] = [];
      for (const batch of batches) embeddings.push(...(await scorer.encodePixels(batch, batch.length / plane)));
      const tEncode = ms(t0);

      t0 = performance.now();
      const [text] = await scorer.encodeTexts(['a red object']);
      softmaxScores(embeddings, text);
      const tScore = ms(t0);

      t0 = performance.now();
      const picked = await selectByText(image, result, 'a red object', scorer, { crop, batchSize: BATCH });
      const tTotal = ms(t0);

      console.log(
        `  ${crop.padEnd(9)} ${picked.candidateIndices.length} candidates | masks.all${fmt(tMasks)} | crops+preprocess${fmt(tCrops)}` +
          ` (${(tCrops / candidates.length).toFixed(2)} ms each) | encode${fmt(tEncode)} | text+softmax${fmt(tScore)} | selectByText${fmt(tTotal)}`,
      );
    }
  }
  await scorer.dispose();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
