/**
 * What the fuzzer throws inputs at, through the public code paths: checkpoints (whole files, and pickles
 * re-zipped so the unpickler sees them past the CRC), ONNX files (bytes and metadata values, then a real
 * load), encoded and raw images, and option objects for load/predict/tokenize. Each case returns how it
 * ended: 'ok', a FastSAMError code, or 'untyped <Name>' (a bug: every error should be a FastSAMError).
 */
import sharp from 'sharp';
import { Checkpoint, moduleTree, stateDict } from '../../lib/checkpoint';
import { ClipTokenizer } from '../../lib/clip/tokenizer';
import { vocabFromTokenizerJson } from '../../lib/clip/vocab-formats';
import { FastSAMError } from '../../lib/errors';
import { decodeImage, type RawImage } from '../../lib/io/image';
import { readOnnxModelInfo } from '../../lib/onnx/model-info';
import { readContract } from '../../lib/pipeline/contract';
import { FastSAM } from '../../lib/pipeline/fastsam';
import { PickleWriter, py, writeCheckpoint, writeZip } from '../fixtures/checkpoint-writer';
import { miniClipVocab } from '../fixtures/clip-vocab';
import { oneBoxModel } from '../fixtures/tiny-models';
import { mutate, type Random, randomValue } from './mutate';

export interface Target {
  name: string;
  setup(): Promise<unknown>;
  run(context: unknown, random: Random): Promise<void>;
}

/** How a case ended. */
export function outcomeOf(error: unknown): string {
  if (error === undefined) return 'ok';
  if (error instanceof FastSAMError) return error.code;
  const name = (error as Error)?.name ?? typeof error;
  return `untyped ${name}: ${String((error as Error)?.message ?? error).slice(0, 100)}`;
}

const SIZE = 64;

function tinyModel(dynamic: boolean, metadata: Record<string, string> = {}): Uint8Array {
  return oneBoxModel({ dynamic, metadata });
}

const gray = (): RawImage => ({ data: new Uint8Array(SIZE * SIZE * 3).fill(100), width: SIZE, height: SIZE, channels: 3 });

// ----- checkpoints -----

const checkpointValue = py.dict([
  [
    'model',
    py.object('torch.nn.modules.container', 'Sequential', [
      ['_parameters', py.odict([['w', py.tensor({ dtype: 'float16', dims: [2, 3], data: [1, 2, 3, 4, 5, 6], parameter: true })]])],
      ['_buffers', py.odict([['b', py.tensor({ dtype: 'float32', dims: [3], data: [0.5, 1.5, 2.5] })]])],
      [
        '_modules',
        py.odict([
          [
            '0',
            py.object('ultralytics.nn.modules.conv', 'Conv', [
              ['_parameters', py.odict([])],
              ['act', true],
            ]),
          ],
        ]),
      ],
      ['names', py.dict([[0, 'object']])],
      ['stride', py.tuple(8, 16, 32)],
      ['flags', py.set(['a', 'b'])],
    ]),
  ],
  ['version', '8.0.120'],
  ['epoch', -1],
  ['best_fitness', py.float(0.5)],
]);

function readAll(bytes: Uint8Array): void {
  const checkpoint = Checkpoint.read(bytes);
  for (const tensor of stateDict(moduleTree(checkpoint.model())).values()) checkpoint.float32(tensor);
}

const checkpoints: Target = {
  name: 'checkpoints',
  async setup() {
    const writer = new PickleWriter();
    const pickle = writer.write(checkpointValue);
    return { file: writeCheckpoint(checkpointValue), pickle, storages: writer.storages };
  },
  async run(context, random) {
    const { file, pickle, storages } = context as { file: Uint8Array; pickle: Uint8Array; storages: { key: string; bytes: Uint8Array }[] };
    if (random.chance(0.5)) return readAll(mutate(file, random));
    // The pickle mutated and zipped again (deflated at times), so the unpickler sees it past the CRC.
    readAll(
      writeZip([
        { name: 'a/data.pkl', data: mutate(pickle, random), method: random.chance(0.3) ? 8 : 0 },
        ...storages.map((s) => ({ name: `a/data/${s.key}`, data: random.chance(0.1) ? mutate(s.bytes, random) : s.bytes })),
      ]),
    );
  },
};

// ----- ONNX -----

const METADATA_KEYS = ['imgsz', 'stride', 'names', 'task'];

async function loadOnce(bytes: Uint8Array): Promise<void> {
  const model = await FastSAM.load(bytes);
  try {
    await model.predict(gray());
  } finally {
    await model.dispose();
  }
}

const onnx: Target = {
  name: 'onnx',
  async setup() {
    return [tinyModel(true), tinyModel(false)];
  },
  async run(context, random) {
    const bases = context as Uint8Array[];
    if (random.chance(0.3)) {
      // Metadata values of any shape, through a real load and predict.
      const key = random.pick(METADATA_KEYS);
      const raw = randomValue(random);
      const text =
        typeof raw === 'string' ? raw : (JSON.stringify(raw, (_, v: unknown) => (typeof v === 'bigint' ? Number(v) : v)) ?? String(raw));
      return loadOnce(tinyModel(random.chance(0.5), { [key]: text }));
    }
    const bytes = mutate(random.pick(bases), random);
    try {
      readContract(readOnnxModelInfo(bytes));
    } catch (error) {
      // readOnnxModelInfo throws plain Errors by design; FastSAM.load types them: go through it.
      if (!(error instanceof FastSAMError)) return loadOnce(bytes);
      throw error;
    }
    // A header that still reads: let ONNX Runtime parse the rest (a fifth of the time: sessions are slow).
    if (random.chance(0.2)) await loadOnce(bytes);
  },
};

// ----- images -----

const images: Target = {
  name: 'images',
  async setup() {
    const base = sharp({ create: { width: 40, height: 30, channels: 3, background: { r: 10, g: 200, b: 90 } } });
    return Promise.all([
      base.clone().jpeg().toBuffer(),
      base.clone().png().toBuffer(),
      base.clone().webp().toBuffer(),
      base.clone().gif().toBuffer(),
      base.clone().tiff().toBuffer(),
    ]);
  },
  async run(context, random) {
    if (random.chance(0.15)) {
      const raw = { data: randomValue(random), width: randomValue(random), height: randomValue(random), channels: randomValue(random) };
      await decodeImage(raw as RawImage);
      return;
    }
    await decodeImage(mutate(random.pick(context as Buffer[]), random), { maxPixels: 1 << 22 });
  },
};

// ----- option objects -----

const PREDICT_KEYS = ['imgsz', 'conf', 'iou', 'maxDet', 'retinaMasks', 'agnosticNms', 'classes', 'maxPixels', 'batch'];
const LOAD_KEYS = ['backend', 'threads', 'fastsam', 'dynamicBatching'];
const TOKENIZE_KEYS = ['contextLength', 'truncate', 'padId'];

function randomOptions(random: Random, keys: readonly string[]): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  for (const key of keys) if (random.chance(0.35)) options[key] = randomValue(random);
  if (random.chance(0.05)) options[random.pick(['conff', 'size', '__proto__x'])] = randomValue(random);
  return options;
}

const options: Target = {
  name: 'options',
  async setup() {
    const bytes = tinyModel(true);
    return {
      bytes,
      model: await FastSAM.load(bytes),
      tokenizer: ClipTokenizer.fromVocab(vocabFromTokenizerJson(miniClipVocab().tokenizerJson, 'mini')),
    };
  },
  async run(context, random) {
    const { bytes, model, tokenizer } = context as { bytes: Uint8Array; model: FastSAM; tokenizer: ClipTokenizer };
    const which = random.int(10);
    if (which === 0) {
      const loaded = await FastSAM.load(bytes, randomOptions(random, LOAD_KEYS));
      await loaded.dispose();
    } else if (which === 1) {
      tokenizer.tokenize(random.chance(0.8) ? ['a red dog'] : (randomValue(random) as string[]), randomOptions(random, TOKENIZE_KEYS));
    } else {
      const source = random.chance(0.9) ? gray() : (randomValue(random) as RawImage);
      await model.predict(source, randomOptions(random, PREDICT_KEYS));
    }
  },
};

export const TARGETS: readonly Target[] = [checkpoints, onnx, images, options];
