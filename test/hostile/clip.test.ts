/** Hostile CLIP tokenizer options end in E_BAD_OPTION, never in a V8 fatal error. */
import { expectAnswer, expectTypedEnd, runCase } from './harness';

describe('CLIP tokenizer options', () => {
  test.each([[1e10], [2 ** 32], [4097], [1], [2.5]])('contextLength %p: E_BAD_OPTION', async (value) => {
    expectTypedEnd(await runCase('clip', 'contextLength', [value]), 'E_BAD_OPTION', /contextLength must be an integer in \[2, 4096\]/);
  });

  test.each([
    [{ padId: 1e20 }, /padId must be an integer/],
    [{ padId: -1 }, /padId must be an integer/],
    [{ truncate: 'yes' }, /truncate must be true or false/],
    [{ contextLenght: 77 }, /unknown tokenize option 'contextLenght' \(did you mean 'contextLength'\?\)/],
  ])('%j: E_BAD_OPTION', async (value, message) => {
    expectTypedEnd(await runCase('clip', 'options', [value]), 'E_BAD_OPTION', message);
  });

  test('the largest context still tokenizes', async () => {
    expect(expectAnswer(await runCase('clip', 'contextLength', [4096]))).toBe(4096);
  });

  test('a 1,638-word prompt (16,380 characters), truncated, stops at the context length', async () => {
    expect(expectAnswer(await runCase('clip', 'longPrompt', [1638]))).toHaveLength(5);
  });

  test('a million-letter word: E_BAD_PROMPT before BPE', async () => {
    expectTypedEnd(await runCase('clip', 'longWord', [1_000_000]), 'E_BAD_PROMPT', /at most 16384 characters/);
  });
});
