/** Small helpers over node:util parseArgs, with errors that say which flag is wrong. */
import { parseArgs, type ParseArgsConfig } from 'node:util';

export class UsageError extends Error {}

export type Options = NonNullable<ParseArgsConfig['options']>;

export function parse(argv: string[], options: Options): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    return { values: values as Record<string, string | boolean | undefined>, positionals };
  } catch (e) {
    throw new UsageError(parseArgsMessage(e as Error & { code?: string }));
  }
}

/** Node's parser explains itself at length; one short sentence is what a terminal needs. */
function parseArgsMessage(e: Error & { code?: string }): string {
  const flag = /'(-[^']*)'/.exec(e.message)?.[1] ?? '';
  const name = flag.replace(/^-+/, '').split(/[ =]/)[0];
  const dashed = name && name.length > 1 ? `--${name}` : `-${name}`;
  switch (e.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION': return `unknown option ${dashed}`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': return /argument missing/.test(e.message) ? `option ${dashed} needs a value` : `option ${dashed} takes no value`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL': return `unexpected argument ${flag || e.message}`;
    default: return e.message;
  }
}

export function requiredId(value: string | boolean | undefined, flag: string): number {
  if (typeof value !== 'string') throw new UsageError(`${flag} ID is required`);
  return id(value, flag);
}

export function id(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`${flag} takes a whole number, not '${value}'`);
  return n;
}

/** Prints rows as an aligned text table. */
export function table(headers: string[], rows: Array<Array<string | number>>): string {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return cells.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}
