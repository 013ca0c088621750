/**
 * Checkpoints as a whole: the shared Ultralytics checkpoint reads with nothing refused, tensors come out
 * exactly (fp16 widening, strided views), and damaged or hostile files — bad storage references, views
 * past their storage, module cycles, exponentially shared module trees, random corruption — end in typed
 * errors, never in a crash or a hang.
 */
import { Checkpoint, moduleTree, PyAttribute, PyDict, PyTensor, stateDict } from '../../lib/checkpoint';
import { PickleEmitter, py, writeCheckpoint, writeZip } from '../../scripts/fixtures/checkpoint-writer';
import { describeWithShared, sharedPath } from '../helpers/shared';

const refusal = (code: string, message: RegExp): ReturnType<typeof expect.objectContaining> =>
  expect.objectContaining({ code, message: expect.stringMatching(message) });

describeWithShared('models/FastSAM-s-random.pt', 'the shared FastSAM-s checkpoint', () => {
  let checkpoint: Checkpoint;
  beforeAll(async () => {
    checkpoint = await Checkpoint.load(sharedPath('models/FastSAM-s-random.pt'));
  });

  test('top-level entries as Ultralytics saves them', () => {
    expect(checkpoint.get('version')).toBe('8.0.120');
    expect(checkpoint.get('epoch')).toBe(-1);
    const args = checkpoint.get('train_args') as PyDict;
    expect(args.get('imgsz')).toBe(640);
    expect(args.get('task')).toBe('segment');
  });

  test('the module tree and state dict of a YOLOv8s-seg', () => {
    const model = checkpoint.model();
    expect(model.cls.qualifiedName).toBe('ultralytics.nn.tasks.SegmentationModel');
    const tree = moduleTree(model);
    expect(tree.child('model').children.size).toBe(23);
    expect(tree.at('model.22').className).toBe('Segment');
    expect(tree.at('model.22').attr('detect')).toBeInstanceOf(PyAttribute);
    const tensors = stateDict(tree);
    expect(tensors.size).toBe(417);
    expect(tensors.get('model.0.conv.weight')?.size).toEqual([32, 3, 3, 3]);
    expect(tensors.get('model.0.conv.weight')?.storage.dtype).toBe('float16');
    expect(Array.from(checkpoint.float32(tensors.get('model.22.dfl.conv.weight') as PyTensor))).toEqual(
      Array.from({ length: 16 }, (_, i) => i),
    );
    expect(Array.from(checkpoint.float32(model.attrs.get('stride') as PyTensor))).toEqual([8, 16, 32]);
  });
});

describe('tensors', () => {
  test('float16 widens exactly, including subnormals and infinities; strided views read in C order', () => {
    const halves = [0, -0, 1, -2.5, 65504, 2 ** -24, Infinity, 0.1];
    const bytes = writeCheckpoint(
      py.dict([
        ['h', py.tensor({ dtype: 'float16', dims: [8], data: halves })],
        ['m', py.tensor({ dtype: 'float32', dims: [2, 3], data: [1, 2, 3, 4, 5, 6] })],
      ]),
    );
    const checkpoint = Checkpoint.read(bytes);
    expect(Array.from(checkpoint.float32(checkpoint.get('h') as PyTensor))).toEqual([
      0,
      -0,
      1,
      -2.5,
      65504,
      2 ** -24,
      Infinity,
      Math.fround(0.0999755859375),
    ]);
    const m = checkpoint.get('m') as PyTensor;
    // The transpose of m: the same storage read with swapped sizes and strides.
    const transposed = new PyTensor(m.storage, 0, [3, 2], [1, 3]);
    expect(Array.from(checkpoint.float32(transposed))).toEqual([1, 4, 2, 5, 3, 6]);
    expect(Array.from(checkpoint.float32(new PyTensor(m.storage, 4, [2], [1])))).toEqual([5, 6]);
    expect(() => checkpoint.float32(new PyTensor(m.storage, 4, [3], [1]))).toThrow(
      refusal('E_MODEL_FORMAT', /reaches past the end of storage/),
    );
  });
});

// A checkpoint whose pickle is written by hand: ('storage', type, key, 'cpu', numel) persistent ids.
function tensorPickle(type: string, key: string, numel: number, dims: number[]): Uint8Array {
  const e = new PickleEmitter().op(0x80, 2).op(0x7d).str('w');
  e.global('torch._utils', '_rebuild_tensor_v2').op(0x28);
  e.op(0x28).str('storage').global('torch', type).str(key).str('cpu').int(numel).op(0x74, 0x51);
  e.int(0).op(0x28);
  for (const d of dims) e.int(d);
  e.op(0x74, 0x28);
  for (let i = 0; i < dims.length; i++) e.int(dims.slice(i + 1).reduce((a, b) => a * b, 1));
  e.op(0x74, 0x89, 0x7d, 0x74, 0x52);
  return e.op(0x73, 0x2e).finish(); // {'w': tensor}
}

function archive(pickle: Uint8Array, storages: Record<string, Uint8Array>): Uint8Array {
  return writeZip([
    { name: 'a/data.pkl', data: pickle },
    ...Object.entries(storages).map(([key, data]) => ({ name: `a/data/${key}`, data })),
  ]);
}

describe('damaged storage references are E_MODEL_FORMAT', () => {
  test('a well-formed reference reads', () => {
    const t = Checkpoint.read(archive(tensorPickle('FloatStorage', '0', 2, [2]), { 0: new Uint8Array(new Float32Array([1, 2]).buffer) }));
    expect(Array.from(t.float32(t.get('w') as PyTensor))).toEqual([1, 2]);
  });

  test.each<[string, Uint8Array, RegExp]>([
    ['a key that walks out of data/', archive(tensorPickle('FloatStorage', '../data.pkl', 2, [2]), {}), /bad storage key/],
    ['a key with no entry', archive(tensorPickle('FloatStorage', '7', 2, [2]), {}), /storage 7 is missing/],
    ['a storage type that is not one', archive(tensorPickle('Size', '0', 2, [2]), { 0: new Uint8Array(8) }), /not a storage type/],
  ])('%s', (_, bytes, message) => {
    expect(() => Checkpoint.read(bytes)).toThrow(refusal('E_MODEL_FORMAT', message));
  });

  test('a storage shorter than its element count', () => {
    const t = Checkpoint.read(archive(tensorPickle('FloatStorage', '0', 1000, [1000]), { 0: new Uint8Array(8) }));
    expect(() => t.float32(t.get('w') as PyTensor)).toThrow(refusal('E_MODEL_FORMAT', /fewer than its 1000 float32 values/));
  });

  test('a tensor with billions of elements is refused before allocating', () => {
    const t = Checkpoint.read(archive(tensorPickle('FloatStorage', '0', 2, [65536, 65536]), { 0: new Uint8Array(8) }));
    expect(() => t.float32(t.get('w') as PyTensor)).toThrow(refusal('E_MODEL_FORMAT', /4294967296 elements/));
  });
});

// Module objects built by hand so they can share references through the memo.
function moduleGraph(build: (e: PickleEmitter, module: (children: [string, number][], memo: number) => void) => void): Uint8Array {
  const e = new PickleEmitter().op(0x80, 2);
  const module = (children: [string, number][], memo: number): void => {
    e.global('torch.nn.modules.container', 'Sequential').op(0x29, 0x81, 0x71, memo); // NEWOBJ, BINPUT memo
    e.op(0x7d).str('_modules').global('collections', 'OrderedDict').op(0x29, 0x52);
    for (const [name, ref] of children) e.str(name).op(0x68, ref, 0x73); // name, BINGET ref, SETITEM
    e.op(0x73, 0x62); // SETITEM '_modules', BUILD
  };
  e.op(0x7d).str('model');
  build(e, module);
  return writeZip([{ name: 'a/data.pkl', data: e.op(0x73, 0x2e).finish() }]);
}

describe('hostile module trees', () => {
  test('a module that contains itself is refused', () => {
    const bytes = moduleGraph((_, module) => module([['self', 0]], 0));
    expect(() => moduleTree(Checkpoint.read(bytes).model())).toThrow(refusal('E_MODEL_FORMAT', /cycle/));
  });

  test('a tree that shares submodules to explode exponentially is refused quickly', () => {
    const bytes = moduleGraph((e, module) => {
      module([], 0);
      e.op(0x30); // POP: keep only the memo reference
      for (let level = 1; level <= 24; level++) {
        module(
          [
            ['a', level - 1],
            ['b', level - 1],
          ],
          level,
        );
        if (level < 24) e.op(0x30);
      }
    });
    expect(() => moduleTree(Checkpoint.read(bytes).model())).toThrow(refusal('E_MODEL_FORMAT', /more than 100000 modules/));
  });
});

describe('random corruption', () => {
  test('flipping bytes of a small checkpoint never crashes, hangs or runs anything', () => {
    const bytes = writeCheckpoint(
      py.dict([
        [
          'model',
          py.object('torch.nn.modules.container', 'Sequential', [
            ['_parameters', py.odict([['w', py.tensor({ dtype: 'float16', dims: [2, 2], data: [1, 2, 3, 4], parameter: true })]])],
          ]),
        ],
        ['version', '8.0.120'],
      ]),
    );
    let seed = 12345;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const outcomes = new Map<string, number>();
    for (let trial = 0; trial < 300; trial++) {
      const mutated = Buffer.from(bytes);
      for (let k = 0; k < 3; k++) mutated[random(mutated.length)] = random(256);
      let outcome = 'read';
      try {
        const checkpoint = Checkpoint.read(mutated);
        const model = checkpoint.model();
        for (const tensor of stateDict(moduleTree(model)).values()) checkpoint.float32(tensor);
      } catch (error) {
        expect(error).toMatchObject({ name: 'FastSAMError' });
        outcome = (error as { code: string }).code;
      }
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    }

    console.log(`300 corrupted checkpoints: ${JSON.stringify(Object.fromEntries(outcomes))}`);
    expect((outcomes.get('E_MODEL_FORMAT') ?? 0) + (outcomes.get('E_UNSAFE_CHECKPOINT') ?? 0)).toBeGreaterThan(100);
  });
});
