/**
 * Type tests of the `fastsam-node` entry point: what a user's code compiles to, and what must not compile.
 * Checked by tsc in `npm run typecheck` (tsconfig.test.json includes test/**), never run: the values are
 * declared, not made. Imports go through lib/index.ts, the file the package's types are built from, so
 * only exported names can be used. Each `@ts-expect-error` is a mistake the types must refuse; were one
 * to compile, tsc reports the unused directive.
 */
import { expectTypeOf } from 'expect-type';
import {
  type BoxPrompt,
  type CocoDetection,
  type DetectionJSON,
  FastSAM,
  FastSAMError,
  type FastSAMErrorCode,
  FastSAMPrompt,
  type LoadOptions,
  Mask,
  type PointMode,
  type PointPrompt,
  type PredictOptions,
  type RLE,
  Result,
  type SegmentAnswer,
  type StreamItem,
  type StreamOptions,
  ClipScorer,
  type VideoResult,
  VideoReader,
  isFastSAMError,
  toSegmentJSON,
} from '../../lib/index';

declare const model: FastSAM;
declare const result: Result;
declare const prompt: FastSAMPrompt;
declare const clip: ClipScorer;
declare const reader: VideoReader;
declare const item: StreamItem;
declare const caught: unknown;

// Loading: a path, a model name or the ONNX bytes, with load options; resolves to a model.
expectTypeOf(FastSAM.load).toBeCallableWith('FastSAM-s.pt');
expectTypeOf(FastSAM.load).toBeCallableWith(new Uint8Array(8), { backend: 'auto', threads: 2, dynamicBatching: { maxBatch: 8 } });
expectTypeOf(FastSAM.load).returns.resolves.toEqualTypeOf<FastSAM>();
expectTypeOf<LoadOptions['backend']>().toEqualTypeOf<'cpu' | 'tensorrt' | 'auto' | undefined>();
// @ts-expect-error -- the constructor is private: models come from FastSAM.load()
const _constructed = new FastSAM();
// @ts-expect-error -- a backend the library does not have
const _cuda: LoadOptions = { backend: 'cuda' };
// @ts-expect-error -- load options are checked by name (it is `threads`)
const _threadz: LoadOptions = { threadz: 4 };
// @ts-expect-error -- a model is a path, a name or bytes, not a number
expectTypeOf(FastSAM.load).toBeCallableWith(42);

// predict(): images give Results, a video gives VideoResults; options are PredictOptions.
expectTypeOf(model.predict('image.jpg')).resolves.toEqualTypeOf<Result[]>();
expectTypeOf(
  model.predict(['a.jpg', Buffer.alloc(1), { data: new Uint8Array(12), width: 2, height: 2, channels: 3 }]),
).resolves.toEqualTypeOf<Result[]>();
expectTypeOf(model.predict(reader, { vidStride: 2 })).resolves.toEqualTypeOf<VideoResult[]>();
expectTypeOf(model.predict).toBeCallableWith('image.jpg', { conf: 0.5, iou: 0.7, imgsz: [480, 640], retinaMasks: false, classes: [0] });
// @ts-expect-error -- predict options are checked by name (it is `conf`)
const _confidence: PredictOptions = { confidence: 0.5 };
// @ts-expect-error -- thresholds are numbers
const _textConf: PredictOptions = { conf: '0.5' };
// @ts-expect-error -- imgsz is one side or [height, width]
const _threeSides: PredictOptions = { imgsz: [1, 2, 3] };
// @ts-expect-error -- raw pixels need their size and channel count
expectTypeOf(model.predict).toBeCallableWith({ data: new Uint8Array(3) });

// stream() and track(): async generators; a stream item is a result or that image's error.
expectTypeOf(model.stream(['a.jpg', 'b.jpg'], { concurrency: 4, failFast: false })).toEqualTypeOf<AsyncGenerator<StreamItem>>();
expectTypeOf(model.track('clip.mp4', { persist: true, tracker: 'bytetrack', follow: [1, 2] })).toEqualTypeOf<AsyncGenerator<VideoResult>>();
expectTypeOf<StreamOptions>().toExtend<PredictOptions>();
if (item.error) {
  expectTypeOf(item.error).toEqualTypeOf<FastSAMError>();
  expectTypeOf(item.result).toEqualTypeOf<undefined>();
} else {
  expectTypeOf(item.result).toEqualTypeOf<Result>();
}
// @ts-expect-error -- track() takes a tracker name, file, options or ByteTracker, not a number
expectTypeOf(model.track).toBeCallableWith('clip.mp4', { tracker: 3 });

// Result, Boxes and Masks.
expectTypeOf(result.origShape).toEqualTypeOf<[number, number]>();
expectTypeOf(result.boxes.xyxy).toEqualTypeOf<Float32Array>();
expectTypeOf(result.boxes.select([0, 2]).conf).toEqualTypeOf<Float32Array>();
expectTypeOf(result.select([0])).toEqualTypeOf<Result>();
expectTypeOf(result.masks.all()).resolves.toEqualTypeOf<Mask[]>();
expectTypeOf(result.masks.toRLE()).resolves.toEqualTypeOf<RLE[]>();
expectTypeOf(result.masks.toPolygons({ normalize: true })).resolves.toEqualTypeOf<Float32Array[]>();
expectTypeOf(result.masks.toPNG()).resolves.toEqualTypeOf<Buffer[]>();
expectTypeOf(result.masks.toPNG({ indexMap: true })).resolves.toEqualTypeOf<Buffer>();
expectTypeOf(result.toCOCO(1, { compressed: false })).resolves.toEqualTypeOf<CocoDetection[]>();
expectTypeOf(result.toJSON().detections).toEqualTypeOf<DetectionJSON[]>();
expectTypeOf(result.plot({ output: 'plot.png', conf: false })).resolves.toEqualTypeOf<Buffer>();
expectTypeOf(toSegmentJSON(result, { masks: false })).resolves.toEqualTypeOf<SegmentAnswer>();
// @ts-expect-error -- plot options are checked by name (it is `labels`)
expectTypeOf(result.plot).toBeCallableWith({ label: false });
// @ts-expect-error -- results are read-only
result.origShape = [1, 1];

// Prompts: boxes [x1, y1, x2, y2], points [x, y] with labels and a mode, texts with a CLIP model.
expectTypeOf<BoxPrompt>().toEqualTypeOf<[number, number, number, number]>();
expectTypeOf<PointPrompt>().toEqualTypeOf<[number, number]>();
expectTypeOf<PointMode>().toEqualTypeOf<'merge' | 'instances' | 'additive'>();
expectTypeOf(new FastSAMPrompt('image.jpg', [result])).toEqualTypeOf<FastSAMPrompt>();
expectTypeOf(prompt.box([10, 20, 300, 400])).resolves.toEqualTypeOf<Result>();
expectTypeOf(prompt.box([[10, 20, 300, 400]])).resolves.toEqualTypeOf<Result>();
expectTypeOf(prompt.point([[520, 360]], [1], { mode: 'instances' })).resolves.toEqualTypeOf<Result>();
expectTypeOf(prompt.text('a dog', { clip, crop: 'masked' })).resolves.toEqualTypeOf<Result>();
expectTypeOf(prompt.everything()).toEqualTypeOf<Result>();
// @ts-expect-error -- a box has four numbers
expectTypeOf(prompt.box).toBeCallableWith([10, 20, 300]);
// @ts-expect-error -- a point is [x, y]
expectTypeOf(prompt.point).toBeCallableWith([[1, 2, 3]]);
// @ts-expect-error -- a point mode the library does not have
expectTypeOf(prompt.point).toBeCallableWith([[1, 2]], [1], { mode: 'union' });
// @ts-expect-error -- a text prompt needs a CLIP model
expectTypeOf(prompt.text).toBeCallableWith('a dog', {});

// Errors: a stable code union to branch on.
expectTypeOf<FastSAMError['code']>().toEqualTypeOf<FastSAMErrorCode>();
expectTypeOf<'E_BAD_OPTION'>().toExtend<FastSAMErrorCode>();
expectTypeOf<'E_OVERLOADED'>().toExtend<FastSAMErrorCode>();
expectTypeOf(new FastSAMError('E_FILE_NOT_FOUND', 'model file not found')).toExtend<Error>();
if (isFastSAMError(caught)) expectTypeOf(caught.code).toEqualTypeOf<FastSAMErrorCode>();
// @ts-expect-error -- not a code the library throws
const _unknownCode: FastSAMErrorCode = 'E_UNKNOWN';
// @ts-expect-error -- codes are the union, not any string
expectTypeOf(FastSAMError).toBeConstructibleWith('E_NOPE', 'message');
