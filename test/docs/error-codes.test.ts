/**
 * docs/troubleshooting.md cannot drift from the code: every FastSAMErrorCode and every ServeErrorCode
 * has a row in its tables and a section of its own, the guide documents no code that does not exist,
 * and each library code's row states the HTTP status the server really answers it with (httpAnswer).
 * The codes are read from the union types themselves with the TypeScript compiler, so a code added to
 * lib/errors.ts or lib/serve/errors.ts fails this test until the guide explains it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';
import { FastSAMError, type FastSAMErrorCode } from '../../lib/errors';
import { httpAnswer } from '../../lib/serve/errors';

const ROOT = path.resolve(__dirname, '../..');
const GUIDE = path.join(ROOT, 'docs/troubleshooting.md');

/** The string literals of an exported union type alias, as the compiler resolves it. */
function unionMembers(checker: ts.TypeChecker, file: ts.SourceFile, alias: string): string[] {
  const declaration = file.statements.find((s): s is ts.TypeAliasDeclaration => ts.isTypeAliasDeclaration(s) && s.name.text === alias);
  if (!declaration) throw new Error(`no type ${alias} in ${file.fileName}`);
  const type = checker.getTypeAtLocation(declaration.name);
  const members = type.isUnion() ? type.types : [type];
  return members.map((member) => {
    if (!member.isStringLiteral()) throw new Error(`${alias} has a member that is not a string literal: ${checker.typeToString(member)}`);
    return member.value;
  });
}

function readCodes(): { library: string[]; serveOnly: string[] } {
  const files = ['lib/errors.ts', 'lib/serve/errors.ts'].map((f) => path.join(ROOT, f));
  const program = ts.createProgram(files, { strict: true, skipLibCheck: true, noEmit: true, types: [] });
  const checker = program.getTypeChecker();
  const library = unionMembers(checker, program.getSourceFile(files[0])!, 'FastSAMErrorCode');
  const serve = unionMembers(checker, program.getSourceFile(files[1])!, 'ServeErrorCode');
  return { library, serveOnly: serve.filter((code) => !library.includes(code)) };
}

/** Table rows that start with a linked code: | [`E_X`](#e_x) | meaning | status | */
function tableRows(markdown: string): Map<string, string[]> {
  const rows = new Map<string, string[]>();
  for (const line of markdown.split('\n')) {
    const match = /^\| \[`(E_[A-Z_]+)`\]\(#([a-z_]+)\) \|(.*)\|$/.exec(line);
    if (match) rows.set(match[1], [match[2], ...match[3].split('|').map((cell) => cell.trim())]);
  }
  return rows;
}

/** Section headings of the form ### `E_X`. */
function sections(markdown: string): string[] {
  return [...markdown.matchAll(/^### `(E_[A-Z_]+)`$/gm)].map((m) => m[1]);
}

describe('docs/troubleshooting.md covers every error code', () => {
  const markdown = fs.readFileSync(GUIDE, 'utf8');
  const { library, serveOnly } = readCodes();
  const rows = tableRows(markdown);
  const headings = sections(markdown);

  test('the union types were read', () => {
    expect(library).toEqual(expect.arrayContaining(['E_FILE_NOT_FOUND', 'E_BAD_OPTION', 'E_RESULT_GONE']));
    expect(serveOnly).toEqual(expect.arrayContaining(['E_BAD_REQUEST', 'E_INTERNAL']));
    expect(serveOnly).not.toContain('E_BAD_OPTION');
  });

  test('every code has a table row linking to its section, and a section', () => {
    const missingRows = [...library, ...serveOnly].filter((code) => !rows.has(code));
    const missingSections = [...library, ...serveOnly].filter((code) => !headings.includes(code));
    expect({ missingRows, missingSections }).toEqual({ missingRows: [], missingSections: [] });
    for (const [code, [anchor]] of rows) expect(`${code}: #${anchor}`).toBe(`${code}: #${code.toLowerCase()}`);
  });

  test('the guide documents no code that does not exist, and each once', () => {
    const known = new Set([...library, ...serveOnly]);
    expect([...rows.keys(), ...headings].filter((code) => !known.has(code))).toEqual([]);
    expect(headings.length).toBe(new Set(headings).size);
  });

  test("each library code's row states the HTTP status the server answers it with", () => {
    const wrong = library.flatMap((code) => {
      const status = String(httpAnswer(new FastSAMError(code as FastSAMErrorCode, 'x')).status);
      const stated = rows.get(code)?.at(-1);
      return stated === status ? [] : [`${code}: the guide says ${stated}, the server answers ${status}`];
    });
    expect(wrong).toEqual([]);
  });
});
