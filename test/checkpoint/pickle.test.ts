/**
 * The restricted unpickler: ordinary torch pickles read back as plain data, and every crafted hostile
 * pickle (code execution through GLOBAL/STACK_GLOBAL + REDUCE/NEWOBJ, dunder access through getattr,
 * old-style instantiation opcodes, BUILD on odd types, huge lengths, truncation, deep stacks) is refused
 * with a typed error naming the problem, quickly, and without anything being executed.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { allowedGlobals, PyAttribute, PyDict, PyGlobal, PyList, PyObject, PyTuple, unpickle } from '../../lib/checkpoint';
import { PickleWriter, py } from '../../scripts/fixtures/checkpoint-writer';
import { hostilePickles } from '../../scripts/fixtures/pickle-hostile';

const noPersistent = {
  persistentLoad: (): never => {
    throw new Error('no persistent ids here');
  },
};

describe('ordinary pickles', () => {
  test('plain values, containers and memo references read back', () => {
    const bytes = new PickleWriter().write(
      py.dict([
        ['int', 7],
        ['negative', -123456],
        ['big', 2 ** 40],
        ['float', py.float(0.25)],
        ['text', 'héllo'],
        ['none', null],
        ['flags', py.list([true, false])],
        ['pair', py.tuple(1, 'two')],
        [
          'ordered',
          py.odict([
            ['a', 1],
            ['b', 2],
          ]),
        ],
        ['set', py.set(['x', 'y'])],
      ]),
    );
    const value = unpickle(bytes, noPersistent);
    expect(value).toBeInstanceOf(PyDict);
    const dict = value as PyDict;
    expect(dict.get('int')).toBe(7);
    expect(dict.get('negative')).toBe(-123456);
    expect(dict.get('big')).toBe(2 ** 40);
    expect(dict.get('float')).toBe(0.25);
    expect(dict.get('text')).toBe('héllo');
    expect(dict.get('none')).toBeNull();
    expect((dict.get('flags') as PyList).items).toEqual([true, false]);
    expect((dict.get('pair') as PyTuple).items).toEqual([1, 'two']);
    expect((dict.get('ordered') as PyDict).entries()).toEqual([
      ['a', 1],
      ['b', 2],
    ]);
  });

  test('module objects are records of class name and state; getattr(Detect, "forward") is a reference', () => {
    const bytes = new PickleWriter().write(
      py.object('ultralytics.nn.modules.head', 'Segment', [
        ['nc', 1],
        ['detect', py.reduce(py.global('__builtin__', 'getattr'), [py.global('ultralytics.nn.modules.head', 'Detect'), 'forward'])],
      ]),
    );
    const value = unpickle(bytes, noPersistent) as PyObject;
    expect(value).toBeInstanceOf(PyObject);
    expect(value.cls.qualifiedName).toBe('ultralytics.nn.modules.head.Segment');
    expect(value.attrs.get('nc')).toBe(1);
    const detect = value.attrs.get('detect') as PyAttribute;
    expect(detect).toBeInstanceOf(PyAttribute);
    expect([detect.owner.qualifiedName, detect.name]).toEqual(['ultralytics.nn.modules.head.Detect', 'forward']);
  });

  test('the allowlist holds only module classes, containers and tensor helpers', () => {
    const names = allowedGlobals();
    expect(names).toContain('torch._utils._rebuild_tensor_v2');
    expect(names).toContain('ultralytics.nn.modules.head.Segment');
    for (const forbidden of [
      'builtins.eval',
      'builtins.exec',
      'builtins.__import__',
      'os.system',
      'posix.system',
      'subprocess.Popen',
      'torch.load',
    ]) {
      expect(names).not.toContain(forbidden);
    }
    expect(names.every((n) => /^(torch|ultralytics|collections|builtins|numpy|pathlib|types)\./.test(n))).toBe(true);
    expect(new PyGlobal('builtins', 'getattr', { kind: 'function', fn: 'getattr' }).qualifiedName).toBe('builtins.getattr');
  });
});

describe('hostile pickles are refused', () => {
  const canary = path.join(os.tmpdir(), `fastsam-canary-${process.pid}`);
  afterAll(() => {
    // Had anything executed the payloads, this file would exist.
    expect(fs.existsSync(canary)).toBe(false);
  });

  test.each(hostilePickles(canary).map((h) => [h.name, h] as const))('%s', (_, hostile) => {
    let thrown: unknown;
    try {
      unpickle(hostile.bytes, noPersistent);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ name: 'FastSAMError', code: hostile.code, message: expect.stringMatching(hostile.message) });
    expect(fs.existsSync(canary)).toBe(false);
  });

  test('a stack grown past the limit by DUP is refused, not allowed to eat memory', () => {
    const bytes = Uint8Array.from([0x80, 2, 0x4e, ...new Array<number>(5000).fill(0x32), 0x2e]);
    expect(() => unpickle(bytes, { ...noPersistent, maxStack: 1000 })).toThrow(
      expect.objectContaining({ code: 'E_MODEL_FORMAT', message: expect.stringMatching(/stack deeper than 1000/) }),
    );
  });
});
