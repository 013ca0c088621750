/**
 * Hostile checkpoints end in a typed error (or their correct answer) within a few seconds and well under
 * 1.5 GiB, in a child process with a 1 GiB heap: exponential tuple keys, memo, value and MARK floods,
 * pickles that inflate past the cap, huge APPENDS, and views that multiply a tiny storage.
 */
import { expectAnswer, expectTypedEnd, runCase } from './harness';

describe('hostile checkpoints', () => {
  test('a tuple shared 24 deep as a dict key (182 bytes) hashes in linear time', async () => {
    expect(expectAnswer(await runCase('checkpoint', 'tupleKeyBomb'))).toEqual({ entries: 1, bytes: expect.any(Number) });
  });

  test('a tuple shared 26 deep in 1,000 different keys', async () => {
    expect(expectAnswer(await runCase('checkpoint', 'tupleKeysMany'))).toMatchObject({ entries: 1000 });
  });

  test.each([
    ['EMPTY_DICT MEMOIZE POP to the pickle cap', 'memoFlood', /more than 1048576 values|memo holds more than/],
    ['EMPTY_DICT POP to the pickle cap', 'valueFlood', /more than 1048576 values/],
    ['NONE MEMOIZE POP: memo slots alone', 'memoSlots', /memo holds more than 1048576/],
    ['fifteen million MARKs', 'markFlood', /stack deeper than 1048576/],
    ['a 64 MB pickle deflated to 60 KB', 'inflatedPickle', /data\.pkl' is 67108864 bytes/],
    ['a 1 GiB tensor from a 4-byte storage with stride 0', 'strideZeroTensor', /16384 x 16384|268435456 elements/],
    ['64 views of one 4-byte storage, 2 GiB together', 'manyStrideZeroViews', /a view may not multiply its storage/],
  ])('%s: E_MODEL_FORMAT', async (_, name, message) => {
    expectTypedEnd(await runCase('checkpoint', name), 'E_MODEL_FORMAT', message);
  });

  test('a million items in one APPENDS read (no argument spread)', async () => {
    expect(expectAnswer(await runCase('checkpoint', 'bigAppends'))).toBe(1_000_000);
  });

  test('a small broadcast view (stride 0) still reads', async () => {
    expect(expectAnswer(await runCase('checkpoint', 'smallStrideZeroView'))).toEqual([1.5, 1.5, 1.5, 1.5, 1.5, 1.5]);
  });
});
