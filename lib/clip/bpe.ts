/**
 * Byte-pair encoding as CLIP applies it to one pre-split piece: the piece's characters, the last one
 * marked with '</w>' (end of word), are merged pair by pair, always the adjacent pair with the lowest
 * merge rank first, every occurrence of it left to right, until no adjacent pair has a rank.
 */

/** Merge rank key of a pair: tokens never contain a space (the byte alphabet maps it to U+0120). */
export function pairKey(first: string, second: string): string {
  return `${first} ${second}`;
}

const END_OF_WORD = '</w>';

export class BytePairEncoder {
  private readonly cache = new Map<string, readonly string[]>();
  private readonly keepWhole: ReadonlySet<string>;

  constructor(
    /** pairKey(first, second) -> rank (lower merges first). */
    private readonly ranks: ReadonlyMap<string, number>,
    /** Pieces returned whole, never split (CLIP's special tokens). */
    keepWhole: readonly string[] = [],
    /** Cached pieces before the cache is cleared: bounds memory in long-running processes. */
    private readonly cacheLimit = 50_000,
  ) {
    this.keepWhole = new Set(keepWhole);
    this.resetCache();
  }

  /** The BPE tokens of one piece (a string of byte stand-ins). */
  encode(piece: string): readonly string[] {
    const cached = this.cache.get(piece);
    if (cached) return cached;
    const tokens = this.merge(piece);
    if (this.cache.size >= this.cacheLimit) this.resetCache();
    this.cache.set(piece, tokens);
    return tokens;
  }

  private resetCache(): void {
    this.cache.clear();
    for (const piece of this.keepWhole) this.cache.set(piece, [piece]);
  }

  private merge(piece: string): string[] {
    let word = Array.from(piece);
    if (word.length === 0) return [];
    word[word.length - 1] += END_OF_WORD;
    while (word.length > 1) {
      const best = this.lowestRankedPair(word);
      if (best === undefined) break;
      word = mergePair(word, best.first, best.second);
    }
    return word;
  }

  private lowestRankedPair(word: string[]): { first: string; second: string } | undefined {
    let bestRank = Infinity;
    let bestAt = -1;
    for (let i = 0; i + 1 < word.length; i++) {
      const rank = this.ranks.get(pairKey(word[i], word[i + 1]));
      if (rank !== undefined && rank < bestRank) {
        bestRank = rank;
        bestAt = i;
      }
    }
    return bestAt < 0 ? undefined : { first: word[bestAt], second: word[bestAt + 1] };
  }
}

/** Every non-overlapping occurrence of (first, second), left to right, becomes one token. */
function mergePair(word: string[], first: string, second: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < word.length) {
    if (word[i] === first && i + 1 < word.length && word[i + 1] === second) {
      out.push(first + second);
      i += 2;
    } else {
      out.push(word[i]);
      i += 1;
    }
  }
  return out;
}
