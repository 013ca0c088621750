/**
 * docs/cli.md, generated from the key schemas the CLI checks its arguments with (lib/options/key-schema.ts,
 * the COMMANDS table of lib/cli), so the reference cannot drift from what the commands accept: every
 * command, every key with its kind, default and help, every flag. Each command's example is parsed with
 * that command's schema here, so an example the CLI would refuse stops the generation. The page is
 * formatted with prettier (the repository's settings), so `prettier --check` accepts it as written.
 *
 *   npm run docs:cli                            writes docs/cli.md (npm run docs does too)
 *   tsx scripts/docs/cli-reference.ts --stdout  prints it instead (test/docs/cli-reference.test.ts)
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as prettier from 'prettier';
import { parseArgs } from '../../lib/cli/args';
import { COMMANDS } from '../../lib/cli';
import { checkFlags, type CommandSchema, type KeyKind, type KeySpec, parseKeys } from '../../lib/options/key-schema';

export const CLI_REFERENCE = path.resolve(__dirname, '../../docs/cli.md');

/** How a value of each kind is written (the parsers in key-schema.ts); a new kind fails typecheck here until described. */
const KINDS: Record<KeyKind, { shown: string; syntax: string }> = {
  string: { shown: 'text', syntax: 'taken as written' },
  path: { shown: 'path', syntax: 'a file or folder, relative to the working directory' },
  number: { shown: 'number', syntax: 'a decimal number: `0.5`, `.5`, `1e-3` (not `0x10`, not empty)' },
  integer: { shown: 'integer', syntax: 'a whole decimal number: `300`' },
  boolean: { shown: '`true` \\| `false`', syntax: '`true` or `false` (also `1`/`0`, `yes`/`no`, any case)' },
  enum: { shown: '`a` \\| `b` \\| ...', syntax: 'one of the values listed, exactly as written' },
  size: { shown: '`N` or `H,W`', syntax: 'one side for a square (`640`) or height and width (`480,640` or `[480,640]`)' },
  list: {
    shown: '`[[x1,y1,x2,y2],...]`, `[[x,y],...]`, `[n,...]`',
    syntax:
      'JSON numbers: groups `[[x1,y1,x2,y2],...]` (boxes), `[[x,y],...]` (points), or a flat list `[1,0]`; the outer brackets may be left out',
  },
};

/**
 * One example per command, as argv: rendered with shell quoting and checked against the command's schema.
 * The files are the names the README and guides use (FastSAM-s.pt, image.jpg, images/).
 */
const EXAMPLES: Record<string, string[][]> = {
  predict: [
    ['predict', 'model=FastSAM-s.pt', 'source=images/', 'save_json=true'],
    ['predict', 'model=FastSAM-s.pt', 'source=image.jpg', 'points=[[520,360]]', 'labels=[1]', '--json'],
  ],
  val: [
    ['val', 'model=FastSAM-s.onnx', 'data=coco8-seg.yaml', 'single_cls=true'],
    ['val', 'data=instances_val2017.json', 'predictions=runs/segment/predict/predictions.json', '--json'],
  ],
  export: [['export', 'model=FastSAM-s.pt', 'imgsz=1024', 'dynamic=true']],
  info: [['info', 'model=FastSAM-s.onnx', 'backend=auto', '--json']],
  track: [['track', 'model=FastSAM-s.onnx', 'source=traffic.mp4', 'bboxes=[[100,80,400,360]]', 'follow=prompt']],
  serve: [['serve', 'model=FastSAM-s.onnx', 'host=0.0.0.0', 'port=8000', 'max_batch=8', 'client_limit=4']],
  worker: [['worker', 'model=FastSAM-s.onnx', 'redis=redis://127.0.0.1:6379', 'queue=fastsam', 'concurrency=8', 'metrics_port=9464']],
  enqueue: [['enqueue', 'source=images/', 'redis=redis://127.0.0.1:6379', 'queue=fastsam', 'save_json=answers.jsonl']],
};

/** Single quotes around an argument the shell would otherwise expand or split. */
const shellWord = (arg: string): string => (/^[\w=./:,@%+-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`);

/** The example as the user types it, after checking that the command's schema accepts it. */
function example(schema: CommandSchema, argv: string[]): string {
  const { command, values, flags } = parseArgs(argv);
  if (command !== schema.name) throw new Error(`an example of fastsam ${schema.name} runs '${command}'`);
  checkFlags(schema, flags);
  parseKeys(schema, values);
  return `fastsam ${argv.map(shellWord).join(' ')}`;
}

/** Help text as Markdown: `*` and `<` would start emphasis or HTML. */
const prose = (text: string): string => text.replace(/[*<]/g, (c) => `\\${c}`);

/** A table cell: prose that holds no bare pipe and no line break (either would end the cell or the row). */
const cell = (text: string): string => prose(text).replace(/\|/g, '\\|').replace(/\n/g, ' ');

function shape(spec: KeySpec): string {
  if (spec.kind === 'enum') return spec.values!.map((v) => `\`${v}\``).join(' \\| ');
  if (spec.kind === 'list') return spec.group === 4 ? '`[[x1,y1,x2,y2],...]`' : spec.group === 2 ? '`[[x,y],...]`' : '`[n,...]`';
  return KINDS[spec.kind].shown;
}

function section(schema: CommandSchema, examples: string[][]): string[] {
  const rows = Object.entries(schema.keys).map(([key, spec]) => {
    const fallback = spec.required ? '**required**' : spec.default !== undefined ? cell(spec.default) : '';
    return `| \`${key}\` | ${shape(spec)} | ${cell(spec.help)} | ${fallback} |`;
  });
  const flags = Object.entries(schema.flags).map(([flag, help]) => `| \`--${flag}\` | ${cell(help)} |`);
  return [
    `## fastsam ${schema.name}`,
    '',
    `${schema.summary.charAt(0).toUpperCase()}${schema.summary.slice(1)}.`,
    '',
    '```sh',
    `fastsam ${schema.name} ${schema.usage}`,
    '```',
    '',
    '| key | value | what | default |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
    '| flag | what |',
    '| --- | --- |',
    ...flags,
    '| `--help` | this list, from the same schema |',
    '',
    ...(schema.notes ? [prose(schema.notes.join('\n')), ''] : []),
    examples.length > 1 ? 'Examples:' : 'Example:',
    '',
    '```sh',
    ...examples.map((argv) => example(schema, argv)),
    '```',
    '',
  ];
}

/** The page, unformatted. */
function markdown(): string {
  const commands = Object.values(COMMANDS).map(({ schema }) => schema);
  const missing = commands.filter((schema) => !EXAMPLES[schema.name]?.length).map((schema) => schema.name);
  if (missing.length > 0) throw new Error(`no example for fastsam ${missing.join(', ')}: add one to EXAMPLES`);
  return [
    '# CLI reference',
    '',
    '<!-- Generated by `npm run docs` (scripts/docs/cli-reference.ts) from the key schemas in lib/: do not edit by hand. -->',
    '',
    '`fastsam COMMAND key=value ... [--flag ...]`: Ultralytics-style `key=value` arguments, checked strictly against',
    "each command's key schema. An unknown key (with a suggestion), a key given twice, an empty value or a malformed",
    'number is refused before anything runs: one line on stderr naming the `FastSAMError` code, exit code 2. Value',
    'ranges are checked by the same rules as the API, with the same messages. `fastsam COMMAND --help` prints the',
    'tables below from the same schemas.',
    '',
    '| command | what it does |',
    '| --- | --- |',
    ...commands.map((schema) => `| [\`${schema.name}\`](#fastsam-${schema.name}) | ${cell(schema.summary)} |`),
    '',
    '## Values',
    '',
    '| value | how to write it |',
    '| --- | --- |',
    ...(Object.keys(KINDS) as KeyKind[]).map((kind) => `| ${KINDS[kind].shown} | ${KINDS[kind].syntax} |`),
    '',
    "Quote lists for the shell (`bboxes='[[10,20,300,400]]'`): unquoted brackets are glob patterns.",
    '',
    ...commands.flatMap((schema) => section(schema, EXAMPLES[schema.name])),
  ].join('\n');
}

/** docs/cli.md as it should be: generated and formatted with the repository's prettier settings. */
export async function cliReference(): Promise<string> {
  const options = (await prettier.resolveConfig(CLI_REFERENCE)) ?? {};
  return prettier.format(markdown(), { ...options, filepath: CLI_REFERENCE });
}

async function main(): Promise<void> {
  const text = await cliReference();
  if (process.argv.includes('--stdout')) {
    process.stdout.write(text);
    return;
  }
  fs.writeFileSync(CLI_REFERENCE, text);
  console.log(`wrote ${path.relative(process.cwd(), CLI_REFERENCE)}`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
