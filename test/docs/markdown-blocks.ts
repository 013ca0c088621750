/**
 * The code blocks of our Markdown that are marked to be run: fences whose info string is `ts runnable`,
 * `js runnable` or `sh runnable`, optionally with `timeout=SECONDS`. Parsed with markdown-it (CommonMark),
 * so fences inside list items and block quotes, tildes, and fences shown inside longer fences are read
 * as a renderer reads them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import MarkdownIt from 'markdown-it';

export type BlockLanguage = 'ts' | 'js' | 'sh';

export interface RunnableBlock {
  /** The Markdown file, relative to the repository. */
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  lang: BlockLanguage;
  code: string;
  /** Seconds the block may run; undefined for the default. */
  timeout?: number;
}

export interface BlockScan {
  blocks: RunnableBlock[];
  /** Blocks marked runnable that cannot be run as written, each with where and why. */
  problems: string[];
}

const LANGUAGES: readonly string[] = ['ts', 'js', 'sh'];
const parser = new MarkdownIt();

/** The runnable blocks of one Markdown text; `file` names it in the results. */
export function scanMarkdown(file: string, text: string): BlockScan {
  const scan: BlockScan = { blocks: [], problems: [] };
  for (const token of parser.parse(text, {})) {
    if (token.type !== 'fence' || !token.map) continue;
    const [lang, ...words] = token.info.trim().split(/\s+/);
    if (!words.includes('runnable')) continue;
    const line = token.map[0] + 1;
    const where = `${file}:${line}`;
    if (!LANGUAGES.includes(lang)) {
      scan.problems.push(`${where}: "${lang}" blocks cannot be run (runnable is for ${LANGUAGES.join(', ')})`);
      continue;
    }
    const block: RunnableBlock = { file, line, lang: lang as BlockLanguage, code: token.content };
    for (const word of words) {
      if (word === 'runnable') continue;
      const timeout = /^timeout=(\d+)$/.exec(word);
      if (timeout && Number(timeout[1]) > 0) block.timeout = Number(timeout[1]);
      else scan.problems.push(`${where}: unknown word "${word}" in the info string (known: runnable, timeout=SECONDS)`);
    }
    scan.blocks.push(block);
  }
  return scan;
}

/** README.md and every .md under docs/, relative to `root`, sorted. */
export function documentationFiles(root: string): string[] {
  const files = fs.existsSync(path.join(root, 'README.md')) ? ['README.md'] : [];
  const walk = (dir: string): void => {
    if (!fs.existsSync(path.join(root, dir))) return;
    for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const rel = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(rel);
      else if (entry.isFile() && entry.name.endsWith('.md')) files.push(rel);
    }
  };
  walk('docs');
  return files.sort();
}

/** Every runnable block of the repository's documentation. */
export function scanDocumentation(root: string): BlockScan {
  const all: BlockScan = { blocks: [], problems: [] };
  for (const file of documentationFiles(root)) {
    const scan = scanMarkdown(file, fs.readFileSync(path.join(root, file), 'utf8'));
    all.blocks.push(...scan.blocks);
    all.problems.push(...scan.problems);
  }
  return all;
}
