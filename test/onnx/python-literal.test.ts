/** The Python-literal parsers of ONNX metadata: exactly what repr() writes, bounded, and nothing else. */
import { parsePythonIntList, parsePythonNames } from '../../lib/onnx/python-literal';

describe('parsePythonIntList', () => {
  test('lists, tuples and bare ints as repr() writes them', () => {
    expect(parsePythonIntList('[640, 640]')).toEqual([640, 640]);
    expect(parsePythonIntList('(8, 16, 32)')).toEqual([8, 16, 32]);
    expect(parsePythonIntList('32')).toEqual([32]);
    expect(parsePythonIntList('[-64, 0]')).toEqual([-64, 0]);
  });

  test.each(['[0x40]', '[1e9]', '[0b1]', '[1.5]', '[]', '[Infinity]', '[1_000]', '[12345678901234567890]'])('%s is refused', (text) => {
    expect(() => parsePythonIntList(text)).toThrow(/not a list of integers/);
  });

  test('length and item counts are capped', () => {
    expect(() => parsePythonIntList(`[${'1, '.repeat(10)}1]`, { maxChars: 1000, maxItems: 4 })).toThrow(/more than 4 integers/);
    expect(() => parsePythonIntList(' '.repeat(2000), { maxChars: 1000, maxItems: 4 })).toThrow(/2000 characters, over the 1000/);
  });
});

describe('parsePythonNames', () => {
  test('dicts of int -> str with either quote and escapes', () => {
    expect(parsePythonNames(`{0: 'person', 1: "it's", 2: 'a\\'b'}`)).toEqual({ 0: 'person', 1: "it's", 2: "a'b" });
  });

  test('bounded: names, characters; linear in the text', () => {
    const many = `{${Array.from({ length: 100_000 }, (_, i) => `${i}: 'n${i}'`).join(', ')}}`;
    expect(() => parsePythonNames(many, { maxChars: 1 << 22, maxItems: 4096 })).toThrow(/more than 4096 names/);
    expect(Object.keys(parsePythonNames(many, { maxChars: 1 << 22, maxItems: 200_000 }))).toHaveLength(100_000);
    expect(() => parsePythonNames(`{0: '${'x'.repeat(100)}'}`, { maxChars: 50, maxItems: 10 })).toThrow(/over the 50 allowed/);
  });

  test.each([
    ['not a dict', '[0, 1]', /not a dict/],
    ['a key that is not an int', "{a: 'b'}", /expected an integer key/],
    ['an unterminated name', "{0: 'abc}", /unterminated string/],
  ])('%s is refused', (_, text, message) => {
    expect(() => parsePythonNames(text)).toThrow(message);
  });
});
