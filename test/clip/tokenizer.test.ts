/**
 * CLIP's tokenizer: every reference case of ../shared/data/clip/tokenizer-cases.json, through each
 * vocabulary format, plus clip.tokenize's padding and truncation, the text cleaning, and the errors.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ClipTokenizer } from '../../lib/clip/tokenizer';
import { htmlUnescape } from '../../lib/clip/html-unescape';
import { vocabFromOpenAiMerges } from '../../lib/clip/vocab-formats';
import { gunzipSync } from 'node:zlib';
import { describeWithShared, sharedPath } from '../helpers/shared';
import { expectError, MINI, removeTempDirs, tempDir, write } from './helpers';

interface TokenizerCase {
  text: string;
  ids: number[];
  source: string;
  ascii_only: boolean;
}

afterAll(removeTempDirs);

const VOCAB = 'data/clip/bpe_simple_vocab_16e6.txt.gz';
const CASES = 'data/clip/tokenizer-cases.json';

describeWithShared(CASES, 'CLIP tokenizer on the reference cases', () => {
  const cases = (JSON.parse(fs.readFileSync(sharedPath(CASES), 'utf8')) as { cases: TokenizerCase[] }).cases;
  let openai: ClipTokenizer;
  const hfDir = tempDir();

  beforeAll(async () => {
    openai = await ClipTokenizer.load(sharedPath(VOCAB));
    // The same vocabulary in Hugging Face's two formats, derived from the OpenAI file as HF's converter does.
    const text = gunzipSync(fs.readFileSync(sharedPath(VOCAB))).toString('utf8');
    const vocab = vocabFromOpenAiMerges(text, 'openai');
    const merges = text.split('\n').slice(1, 48895);
    write(hfDir, 'vocab.json', JSON.stringify(Object.fromEntries(vocab.encoder)));
    write(hfDir, 'merges.txt', `#version: 0.2\n${merges.join('\n')}\n`);
    write(
      hfDir,
      'json/tokenizer.json',
      JSON.stringify({
        added_tokens: [
          { id: 49406, content: '<|startoftext|>' },
          { id: 49407, content: '<|endoftext|>' },
        ],
        model: {
          type: 'BPE',
          vocab: Object.fromEntries([...vocab.encoder].filter(([t]) => !t.startsWith('<|'))),
          merges: merges.map((m) => m.split(' ')),
          end_of_word_suffix: '</w>',
        },
      }),
    );
  });

  test("46 cases from five sources, with OpenAI's bpe_simple_vocab_16e6.txt.gz", () => {
    // 34 ASCII cases equal real clip.tokenize; the 12 non-ASCII ones are Hugging Face's (no ftfy).
    expect(cases).toHaveLength(46);
    expect(openai.vocabSize).toBe(49408);
    for (const c of cases) expect({ text: c.text, ids: openai.encode(c.text) }).toEqual({ text: c.text, ids: c.ids });
  });

  test.each([
    ['vocab.json + merges.txt', (dir: string) => dir],
    ['tokenizer.json (merges as pairs)', (dir: string) => path.join(dir, 'json/tokenizer.json')],
    ['vocab.json named alone', (dir: string) => path.join(dir, 'vocab.json')],
  ])("the same ids from Hugging Face's %s", async (_, pick) => {
    const tokenizer = await ClipTokenizer.load(pick(hfDir));
    for (const c of cases) expect(tokenizer.encode(c.text)).toEqual(c.ids);
  });

  test('clip.tokenize: rows of 77, padded with 0; truncation keeps <|endoftext|> last', () => {
    const [row] = openai.tokenize('Hello World!');
    expect(row).toHaveLength(77);
    expect(row.slice(0, 6)).toEqual([49406, 3306, 1002, 256, 49407, 0]);
    const long = 'a '.repeat(100);
    const [cut] = openai.tokenize(long, { truncate: true });
    expect(cut).toHaveLength(77);
    expect(cut[0]).toBe(49406);
    expect(cut[75]).toBe(320);
    expect(cut[76]).toBe(49407);
    expect(() => openai.tokenize(long)).toThrow(/102 tokens, over the context length 77/);
    expect(openai.tokenize(['a', 'b'], { contextLength: 4, padId: 49407 })).toEqual([
      [49406, 320, 49407, 49407],
      [49406, 321, 49407, 49407],
    ]);
  });

  test('text cleaning: HTML unescaped twice, whitespace collapsed, lower-cased, special tokens kept', () => {
    expect(openai.encode('fish &amp;amp; chips')).toEqual(openai.encode('fish & chips'));
    expect(openai.encode('it&#39;s')).toEqual(openai.encode("it's"));
    expect(openai.encode(' \t A\u00a0\u3000PHOTO \n')).toEqual(openai.encode('a photo'));
    expect(openai.encode('<|endoftext|>')).toEqual([49406, 49407, 49407]);
    // NFC first: a decomposed é tokenizes as the composed one.
    expect(openai.encode('cafe\u0301')).toEqual(openai.encode('caf\u00e9'));
  });
});

describe('CLIP tokenizer without ../shared (designed vocabulary)', () => {
  test('words the merges build become one token each; vocabulary ids follow the file', async () => {
    const dir = tempDir();
    write(dir, 'vocab.json', MINI.vocabJson);
    write(dir, 'merges.txt', MINI.mergesTxt);
    const tokenizer = await ClipTokenizer.load(dir);
    const sot = MINI.vocab['<|startoftext|>'];
    const eot = MINI.vocab['<|endoftext|>'];
    expect(tokenizer.encode('A red object!')).toEqual([
      sot,
      MINI.vocab['a</w>'],
      MINI.vocab['red</w>'],
      MINI.vocab['object</w>'],
      MINI.vocab['!</w>'],
      eot,
    ]);
    // Unknown words fall back to byte tokens: 'ox' is 'o' + 'x</w>'.
    expect(tokenizer.encode('ox')).toEqual([sot, MINI.vocab.o, MINI.vocab['x</w>'], eot]);
    expect(tokenizer.configuredPadId).toBeUndefined();
  });

  test('a directory prefers tokenizer.json; a pad token named in tokenizer_config.json is read', async () => {
    const dir = tempDir();
    write(dir, 'tokenizer.json', MINI.tokenizerJson);
    write(dir, 'vocab.json', '{ "broken": ');
    write(dir, 'tokenizer_config.json', JSON.stringify({ pad_token: { content: '<|endoftext|>' } }));
    const tokenizer = await ClipTokenizer.load(dir);
    expect(tokenizer.source).toBe(path.join(dir, 'tokenizer.json'));
    expect(tokenizer.configuredPadId).toBe(MINI.vocab['<|endoftext|>']);
  });

  test('missing files name the file and what it is', async () => {
    const dir = tempDir();
    await expectError(ClipTokenizer.load(path.join(dir, 'nope.txt.gz')), 'E_FILE_NOT_FOUND', 'CLIP vocabulary not found', 'nope.txt.gz');
    await expectError(
      ClipTokenizer.load(dir),
      'E_FILE_NOT_FOUND',
      `no CLIP vocabulary in ${dir}`,
      'tokenizer.json, vocab.json + merges.txt',
    );
    write(dir, 'vocab.json', MINI.vocabJson);
    await expectError(ClipTokenizer.load(path.join(dir, 'vocab.json')), 'E_FILE_NOT_FOUND', 'merges.txt');
  });

  test('wrong contents name the file, what was expected and what was found', async () => {
    const dir = tempDir();
    await expectError(
      ClipTokenizer.load(write(dir, 'a/tokenizer.json', '{"model": {"type": "WordPiece", "vocab": {}}}')),
      'E_MODEL_FORMAT',
      'tokenizer.json',
      'BPE',
      'WordPiece',
    );
    const noSpecials = JSON.stringify(Object.fromEntries(Object.entries(MINI.vocab).filter(([t]) => !t.startsWith('<|'))));
    write(dir, 'b/merges.txt', MINI.mergesTxt);
    await expectError(ClipTokenizer.load(write(dir, 'b/vocab.json', noSpecials)), 'E_MODEL_FORMAT', 'vocab.json', '<|startoftext|>');
    await expectError(
      ClipTokenizer.load(write(dir, 'c/bpe.txt', '#version: 0.2\na b\n')),
      'E_MODEL_FORMAT',
      'bpe.txt',
      '48894 merges',
      'found 1 merges',
    );
    await expectError(
      ClipTokenizer.load(write(dir, 'd/bpe.txt.gz', new Uint8Array([0x1f, 0x8b, 1, 2, 3]))),
      'E_MODEL_FORMAT',
      'bpe.txt.gz',
      'gzip',
    );
    await expectError(ClipTokenizer.load(write(dir, 'e/notes.txt', 'hello\n')), 'E_MODEL_FORMAT', 'notes.txt');
  });
});

describe("HTML unescaping is Python's html.unescape", () => {
  // Expected values printed by Python 3.11's html.unescape.
  test.each([
    ['a &amp; b', 'a & b'],
    ['&amp;amp;', '&amp;'],
    ['&lt;b&gt;', '<b>'],
    ['&#39;s', "'s"],
    ['&#x27;', "'"],
    ['&notit;', '\u00acit;'],
    ['&notin;', '\u2209'],
    ['&ampx', '&x'],
    ['&#128;', '\u20ac'],
    ['&#0;', '\ufffd'],
    ['&#x110000;', '\ufffd'],
    ['&#xD800;', '\ufffd'],
    ['&#1;x', 'x'],
    ['&#65;&#X42;', 'AB'],
    ['&nbsp', '\u00a0'],
    ['&constructor;', '&constructor;'],
    ['&toString;', '&toString;'],
    ['AT&T', 'AT&T'],
    ['&', '&'],
    ['&#', '&#'],
    ['&#x;', '&#x;'],
    ['&&amp;', '&&'],
    // Prefixes of names that are no name (entities 7.0.1 decoded these to garbage; 6.x is right).
    ['&Yumlx;', '&Yumlx;'],
    ['&bepsix;', '&bepsix;'],
    ['&yumlx;', '\u00ffx;'],
    ['&#x7f;', ''],
    ['&#xFDD0;', ''],
    ['&#x1FFFF;', ''],
    ['&#x81;', '\x81'],
    ['&#13;', '\r'],
    ['&#99999999999999999999;', '\ufffd'],
  ])('%j', (input, expected) => {
    expect(htmlUnescape(input)).toBe(expected);
  });
});
