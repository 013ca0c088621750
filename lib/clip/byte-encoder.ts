/**
 * CLIP's byte-level alphabet (OpenAI's bytes_to_unicode): each of the 256 byte values is given a
 * printable character so that BPE works on text with no byte left out. Printable Latin-1 bytes stand
 * for themselves; the others (controls, space, ...) are shifted to U+0100 and up, in byte order.
 */

function printable(byte: number): boolean {
  return (byte >= 0x21 && byte <= 0x7e) || (byte >= 0xa1 && byte <= 0xac) || (byte >= 0xae && byte <= 0xff);
}

/** The 256 byte values in vocabulary order: printable ones first, then the rest, each in byte order. */
export const BYTES_IN_VOCAB_ORDER: readonly number[] = [
  ...Array.from({ length: 256 }, (_, b) => b).filter(printable),
  ...Array.from({ length: 256 }, (_, b) => b).filter((b) => !printable(b)),
];

/** byte value -> its one-character stand-in. */
export const BYTE_TO_CHAR: readonly string[] = (() => {
  const table = new Array<string>(256);
  let shifted = 0;
  for (const byte of BYTES_IN_VOCAB_ORDER) {
    table[byte] = String.fromCharCode(printable(byte) ? byte : 256 + shifted++);
  }
  return table;
})();

const utf8 = new TextEncoder();

/** A pre-split piece of text as byte stand-ins (one UTF-16 unit per byte, all below U+0144). */
export function toByteChars(piece: string): string {
  let out = '';
  for (const byte of utf8.encode(piece)) out += BYTE_TO_CHAR[byte];
  return out;
}
