/**
 * A text prompt: segment everything, let CLIP score each mask's region against the text, keep the best
 * one and save it plotted (PNG).
 *
 *   npx tsx text-prompt-clip.ts [IMAGE] [TEXT] --clip DIR [--out text.png] [--model FastSAM-s.onnx]
 *
 * CLIP comes as ONNX files you provide: --clip DIR (or $FASTSAM_CLIP) names a folder with
 * vision_model.onnx + text_model.onnx (or one model.onnx) and the vocabulary (tokenizer.json, or
 * vocab.json + merges.txt), in the layout of a Hugging Face or transformers.js ONNX export of CLIP
 * ViT-B/32 (the encoders may also sit in an onnx/ subfolder). Without one it says so and exits.
 * Defaults: IMAGE image.jpg, TEXT "a photo of a dog", --model $FASTSAM_MODEL or FastSAM-s.onnx.
 */
import { parseArgs } from 'node:util';
import { ClipScorer, FastSAM, FastSAMPrompt, isFastSAMError } from 'fastsam-node';

const NO_CLIP = `text-prompt-clip: no CLIP model given, so no text prompt was run.
Pass --clip DIR (or set FASTSAM_CLIP=DIR): a folder with vision_model.onnx + text_model.onnx (or model.onnx)
and the vocabulary (tokenizer.json, or vocab.json + merges.txt), e.g. an ONNX export of CLIP ViT-B/32.`;

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      model: { type: 'string', default: process.env.FASTSAM_MODEL ?? 'FastSAM-s.onnx' },
      clip: { type: 'string', default: process.env.FASTSAM_CLIP },
      out: { type: 'string', default: 'text.png' },
    },
  });
  const [image = 'image.jpg', text = 'a photo of a dog'] = positionals;
  if (!values.clip) {
    console.log(NO_CLIP);
    return;
  }

  const clip = await ClipScorer.load(values.clip);
  try {
    const model = await FastSAM.load(values.model);
    try {
      const [result] = await model.predict(image);
      const prompt = new FastSAMPrompt(image, result);
      const answer = await prompt.text(text, { clip });
      await prompt.plot(answer, { output: values.out });
      if (answer.length === 0) {
        console.log(`"${text}": no mask is large enough to ask CLIP about -> ${values.out}`);
      } else {
        const box = Array.from(answer.boxes.xyxy.subarray(0, 4), (v) => Math.round(v * 10) / 10);
        console.log(`"${text}": the mask in box [${box.join(', ')}] (of ${result.length}) -> ${values.out}`);
      }
    } finally {
      await model.dispose();
    }
  } finally {
    await clip.dispose();
  }
}

main().catch((error: unknown) => {
  console.error(isFastSAMError(error) ? `${error.message} [${error.code}]` : error);
  process.exitCode = 1;
});
