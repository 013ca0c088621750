/** Ultralytics-style command lines: `fastsam COMMAND key=value ... --flag`; typing is the key schemas' (lib/options/key-schema.ts). */
import { FastSAMError } from '../errors';

export interface ParsedArgs {
  command: string | undefined;
  values: Record<string, string>;
  flags: Set<string>;
}

export function parseArgs(argv: string[]): ParsedArgs {
  const values: Record<string, string> = Object.create(null) as Record<string, string>; // `__proto__=` is just a key
  const flags = new Set<string>();
  let command: string | undefined;
  for (const arg of argv) {
    if (arg.startsWith('--')) flags.add(arg.slice(2));
    else if (arg.includes('=')) {
      const at = arg.indexOf('=');
      const key = arg.slice(0, at);
      if (Object.hasOwn(values, key)) throw new FastSAMError('E_BAD_OPTION', `${key}= is given twice`);
      values[key] = arg.slice(at + 1);
    } else if (command === undefined) command = arg;
    else throw new FastSAMError('E_BAD_OPTION', `unexpected argument '${arg}': arguments are key=value`);
  }
  return { command, values, flags };
}
