/** Ultralytics-style `key=value` arguments (booleans true/false), plus --flags. */
import { FastSAMError } from '../errors';

export interface ParsedArgs {
  command: string | undefined;
  values: Record<string, string>;
  flags: Set<string>;
}

export function parseArgs(argv: string[]): ParsedArgs {
  const values: Record<string, string> = {};
  const flags = new Set<string>();
  let command: string | undefined;
  for (const arg of argv) {
    if (arg.startsWith('--')) flags.add(arg.slice(2));
    else if (arg.includes('=')) {
      const at = arg.indexOf('=');
      values[arg.slice(0, at)] = arg.slice(at + 1);
    } else if (command === undefined) command = arg;
    else throw new FastSAMError('E_BAD_OPTION', `unexpected argument '${arg}': arguments are key=value`);
  }
  return { command, values, flags };
}

export function numberArg(values: Record<string, string>, key: string): number | undefined {
  if (values[key] === undefined) return undefined;
  const n = Number(values[key]);
  if (!Number.isFinite(n)) throw new FastSAMError('E_BAD_OPTION', `${key}=${values[key]} is not a number`);
  return n;
}

export function boolArg(values: Record<string, string>, key: string): boolean | undefined {
  const v = values[key];
  if (v === undefined) return undefined;
  if (/^(true|1|yes)$/i.test(v)) return true;
  if (/^(false|0|no)$/i.test(v)) return false;
  throw new FastSAMError('E_BAD_OPTION', `${key}=${v}: expected true or false`);
}
