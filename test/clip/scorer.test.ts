/**
 * ClipScorer on the designed encoders (scripts/fixtures/clip-models.ts), run by the real ONNX Runtime:
 * every layout users download gives the embeddings the design says, padding follows the layout, and
 * missing or wrong files fail with the file, what was expected and what was found.
 */
import * as path from 'node:path';
import { ClipScorer } from '../../lib/clip/scorer';
import { classifierModel } from '../../scripts/fixtures/tiny-models';
import { colourImageEncoder, colourTextEncoder, expectedImageEmbedding, expectedTextEmbedding } from '../../scripts/fixtures/clip-models';
import { expectError, fixtureDir, MINI, MINI_COLOURS, removeTempDirs, tempDir, write, type FixtureLayout } from './helpers';

afterAll(removeTempDirs);

function unit(v: Float32Array): Float32Array {
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

/**
 * float32 slack: the encoder averages 50176 normalised pixels in float32 (ONNX Runtime's GlobalAveragePool:
 * absolute error ~2e-5 here), and a grey image's embedding is nearly only the 0.02 constant, so
 * normalising it magnifies that error 50 times (8.5e-4 seen).
 */
function expectClose(actual: Float32Array, expected: Float32Array): void {
  expect(actual).toHaveLength(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
  expect(worst).toBeLessThan(2e-3);
}

function uniform(width: number, height: number, colour: [number, number, number]) {
  const rgb = new Uint8Array(width * height * 3);
  for (let i = 0; i < rgb.length; i += 3) rgb.set(colour, i);
  return { rgb, width, height };
}

const IMAGES = [uniform(50, 40, [255, 0, 0]), uniform(31, 300, [0, 128, 255]), uniform(224, 224, [128, 128, 128])];
const IMAGE_MEANS: Array<[number, number, number]> = [
  [1, 0, 0],
  [0, 128 / 255, 1],
  [128 / 255, 128 / 255, 128 / 255],
];
const TEXTS = ['a red object', 'Green GREEN blue!', 'a photo of the dog'];
const TEXT_COUNTS: Array<[number, number, number]> = [
  [1, 0, 0],
  [0, 2, 1],
  [0, 0, 0],
];

async function expectDesignedEmbeddings(scorer: ClipScorer): Promise<void> {
  const texts = await scorer.encodeTexts(TEXTS);
  texts.forEach((t, i) => expectClose(t, unit(expectedTextEmbedding(TEXT_COUNTS[i]))));
  const images = await scorer.encodeImages(IMAGES);
  images.forEach((e, i) => expectClose(e, unit(expectedImageEmbedding(IMAGE_MEANS[i]))));
}

describe('ClipScorer layouts', () => {
  test.each<[FixtureLayout, string]>([
    ['hf', 'vision_model.onnx'],
    ['transformers.js', path.join('onnx', 'vision_model.onnx')],
    ['combined', 'model.onnx'],
  ])('%s directory: found, loaded, and the designed embeddings come out', async (layout, imageFile) => {
    const dir = fixtureDir(layout);
    const scorer = await ClipScorer.load(dir, { threads: 1 });
    expect(scorer.files.image).toBe(path.join(dir, imageFile));
    expect([scorer.imageSize, scorer.contextLength]).toEqual([224, 77]);
    await expectDesignedEmbeddings(scorer);
    expect(scorer.embedDim).toBe(512);
    await scorer.dispose();
  });

  test('OpenAI-style files (image/text inputs, fixed batch of 1, int32 ids) named one by one', async () => {
    const dir = tempDir();
    const opts = { colourIds: MINI_COLOURS, batch: 1, idsType: 'int32' as const };
    const scorer = await ClipScorer.load({
      vision: write(dir, 'image.onnx', colourImageEncoder(opts, 'openai')),
      text: write(dir, 'text.onnx', colourTextEncoder(opts, 'openai')),
      vocab: { vocab: write(dir, 'v/vocab.json', MINI.vocabJson), merges: write(dir, 'v/merges.txt', MINI.mergesTxt) },
    });
    await expectDesignedEmbeddings(scorer); // three texts and images through a batch-1 export
    await scorer.dispose();
  });

  test('padding follows the layout: 0 for OpenAI exports, the pad token (else <|endoftext|>) for Hugging Face', async () => {
    const eot = MINI.vocab['<|endoftext|>'];
    const hf = await ClipScorer.load(fixtureDir('hf'));
    const { rows, lengths } = hf.textInputs(['a red object']);
    expect(rows[0].slice(0, 6)).toEqual([
      MINI.vocab['<|startoftext|>'],
      MINI.vocab['a</w>'],
      MINI.vocab['red</w>'],
      MINI.vocab['object</w>'],
      eot,
      eot,
    ]);
    expect(lengths).toEqual([5]);
    await hf.dispose();

    const dir = tempDir();
    const openai = await ClipScorer.load({
      vision: write(dir, 'image.onnx', colourImageEncoder({ colourIds: MINI_COLOURS }, 'openai')),
      text: write(dir, 'text.onnx', colourTextEncoder({ colourIds: MINI_COLOURS }, 'openai')),
      vocab: write(dir, 'tokenizer.json', MINI.tokenizerJson),
    });
    expect(openai.textInputs(['a red object']).rows[0].slice(4, 8)).toEqual([eot, 0, 0, 0]);
    await openai.dispose();
  });

  test('Hugging Face: attention_mask hides the padding (here a pad token that would count as "red")', async () => {
    const dir = fixtureDir('hf');
    write(dir, 'special_tokens_map.json', JSON.stringify({ pad_token: 'red</w>' }));
    const scorer = await ClipScorer.load(dir);
    expect(scorer.padId).toBe(MINI.vocab['red</w>']);
    const [blue] = await scorer.encodeTexts(['blue']);
    expectClose(blue, unit(expectedTextEmbedding([0, 0, 1])));
    await scorer.dispose();
  });

  test('texts over 77 tokens are refused, or cut when asked', async () => {
    const scorer = await ClipScorer.load(fixtureDir('hf'));
    const long = `${'a '.repeat(80)}red`;
    await expectError(scorer.encodeTexts([long]), 'E_BAD_PROMPT', '83 tokens', 'context length 77');
    const [cut] = await scorer.encodeTexts([long], { truncate: true }); // "red" is cut off
    expectClose(cut, unit(expectedTextEmbedding([0, 0, 0])));
    await scorer.dispose();
  });

  test('after dispose, E_DISPOSED; a dispose during a run waits for it instead of freeing the session under it', async () => {
    const scorer = await ClipScorer.load(fixtureDir('hf'));
    // The outcome is observed from the start: the run may settle while dispose() is still closing threads.
    const running = scorer
      .encodeImages(
        Array.from({ length: 8 }, () => IMAGES[0]),
        { batchSize: 2 },
      )
      .then(
        (rows) => rows.length,
        (error: { code?: string }) => error.code,
      );
    await scorer.dispose();
    expect([8, 'E_DISPOSED']).toContain(await running);
    await expectError(scorer.encodeTexts(['red']), 'E_DISPOSED');
  });
});

describe('ClipScorer errors name the file, what was expected and what was found', () => {
  const opts = { colourIds: MINI_COLOURS };

  test('missing directory, encoders or vocabulary: E_FILE_NOT_FOUND', async () => {
    const dir = tempDir();
    await expectError(
      ClipScorer.load(path.join(dir, 'nowhere')),
      'E_FILE_NOT_FOUND',
      path.join(dir, 'nowhere'),
      'vision_model.onnx + text_model.onnx',
    );
    await expectError(ClipScorer.load(dir), 'E_FILE_NOT_FOUND', `no CLIP encoders in ${dir}`, 'model.onnx');
    write(dir, 'vision_model.onnx', colourImageEncoder(opts));
    write(dir, 'text_model.onnx', colourTextEncoder(opts));
    await expectError(ClipScorer.load(dir), 'E_FILE_NOT_FOUND', 'no CLIP vocabulary', dir, 'bpe_simple_vocab_16e6.txt.gz');
    const vocab = write(dir, 'tokenizer.json', MINI.tokenizerJson);
    await expectError(
      ClipScorer.load({ vision: path.join(dir, 'vision_model.onnx'), text: path.join(dir, 'gone.onnx'), vocab }),
      'E_FILE_NOT_FOUND',
      'CLIP text encoder (text model) not found',
      path.join(dir, 'gone.onnx'),
    );
  });

  test('encoders swapped, a segmentation model, bytes that are not ONNX: E_MODEL_FORMAT', async () => {
    const dir = tempDir();
    const vocab = write(dir, 'tokenizer.json', MINI.tokenizerJson);
    const vision = write(dir, 'vision_model.onnx', colourImageEncoder(opts));
    const text = write(dir, 'text_model.onnx', colourTextEncoder(opts));
    await expectError(
      ClipScorer.load({ vision: text, text, vocab }),
      'E_MODEL_FORMAT',
      text,
      "expected a CLIP image encoder: one float32 input 'pixel_values' or 'image'",
      'found inputs input_ids (int64 [batch_size, sequence_length])',
      'looks like a text encoder',
    );
    await expectError(
      ClipScorer.load({ vision, text: vision, vocab }),
      'E_MODEL_FORMAT',
      'expected a CLIP text encoder',
      'looks like an image encoder',
    );
    const classifier = write(dir, 'classifier.onnx', classifierModel());
    await expectError(
      ClipScorer.load({ vision: classifier, text, vocab }),
      'E_MODEL_FORMAT',
      classifier,
      'images (float [1, 3, 64, 64])',
      'detection or segmentation',
    );
    const junk = write(dir, 'junk.onnx', 'not a model at all');
    await expectError(
      ClipScorer.load({ vision, text: junk, vocab }),
      'E_MODEL_FORMAT',
      junk,
      'an ONNX CLIP text encoder',
      'not an ONNX model',
    );
    await expectError(
      ClipScorer.load({ combined: vision, vocab }),
      'E_MODEL_FORMAT',
      vision,
      'a combined CLIP model',
      "'image_embeds' and 'text_embeds'",
    );
  });

  test('encoders whose embedding widths differ', async () => {
    const dir = tempDir();
    const vocab = write(dir, 'tokenizer.json', MINI.tokenizerJson);
    await expectError(
      ClipScorer.load({
        vision: write(dir, 'v.onnx', colourImageEncoder(opts)),
        text: write(dir, 't.onnx', colourTextEncoder({ ...opts, embedDim: 256 })),
        vocab,
      }),
      'E_MODEL_FORMAT',
      't.onnx',
      "match the image encoder's 512",
      'found 256',
    );
  });
});
