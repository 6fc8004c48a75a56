/**
 * The benchmarks' command lines, read the way the emulator reads its own (`node:util` `parseArgs`,
 * strict, no positionals): `--name value` and `--name=value` both work, and a mistake is a usage
 * message with exit 2, never a stack trace.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A command line a benchmark cannot run: printed with the usage, exit 2. */
export class BenchUsageError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BenchUsageError';
  }
}

type Options = NonNullable<ParseArgsConfig['options']>;
type Values<O extends Options> = ReturnType<typeof parseArgs<{ args: string[]; options: O; strict: true; allowPositionals: false }>>['values'];

/**
 * Parses `argv` against `options` with `node:util` `parseArgs`; an unknown option, a missing or
 * unexpected value, or a positional argument becomes a {@link BenchUsageError}.
 *
 * @example
 * const values = parseBenchArgs(process.argv.slice(2), { images: { type: 'string' }, help: { type: 'boolean', short: 'h' } });
 */
export function parseBenchArgs<O extends Options>(argv: string[], options: O): Values<O> {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    // parseArgs reports command-line mistakes as TypeErrors with an ERR_PARSE_ARGS_* code; anything else is a bug.
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_')) throw new BenchUsageError((error as Error).message, { cause: error });
    throw error;
  }
}

/** A whole number from `min` up (1 unless said), or a {@link BenchUsageError} naming the flag. */
export function wholeNumber(flag: string, value: string, min = 1): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < min) {
    throw new BenchUsageError(`${flag} must be a whole number of at least ${min}, got ${JSON.stringify(value)}`);
  }
  return n;
}

/** A finite number of at least `min` (decimals allowed), or a {@link BenchUsageError} naming the flag. */
export function numberAtLeast(flag: string, value: string, min: number): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < min) throw new BenchUsageError(`${flag} must be a number of at least ${min}, got ${JSON.stringify(value)}`);
  return n;
}

/** A finite number above 0 (decimals allowed), or a {@link BenchUsageError} naming the flag. */
export function positiveNumber(flag: string, value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new BenchUsageError(`${flag} must be a number above 0, got ${JSON.stringify(value)}`);
  return n;
}

/**
 * Reads the command line with `parse` and runs the benchmark: `--help` prints the usage (exit 0);
 * a {@link BenchUsageError} prints `name: message` and the usage on stderr (exit 2).
 */
export async function runBench<A>(name: string, usage: string, parse: (argv: string[]) => A | 'help', main: (args: A) => Promise<void>): Promise<void> {
  let args: A | 'help';
  try {
    args = parse(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof BenchUsageError)) throw error;
    process.stderr.write(`${name}: ${error.message}\n${usage}\n`);
    process.exitCode = 2;
    return;
  }
  if (args === 'help') {
    process.stdout.write(`${usage}\n`);
    return;
  }
  await main(args);
}
