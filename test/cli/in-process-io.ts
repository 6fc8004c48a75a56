/**
 * A `CliIo` whose output is captured and whose stdin can pose as a terminal, for running
 * `runCli` and the demo inside the test process.
 */
import { PassThrough } from 'node:stream';
import type { CliIo } from '../../lib/cli/io.js';

export interface CapturedIo {
  io: CliIo;
  stdout: () => string;
  stderr: () => string;
  /** What the person at the terminal types. */
  stdin: PassThrough;
}

/**
 * The env a captured CLI sees: the test's, with the suite's temp cache folder
 * (`test/support/test-cache-home.ts`) where the test sets no cache folder of its own, so a command's
 * default index store never lands in the user's `~/.cache`.
 */
function envOf(env: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  const suiteCache = process.env.XDG_CACHE_HOME;
  return env.XDG_CACHE_HOME || !suiteCache ? env : { ...env, XDG_CACHE_HOME: suiteCache };
}

/** A captured io; `tty` makes stdin claim to be a terminal, as in an interactive shell. */
export function capturedIo(options: { tty?: boolean; env?: Record<string, string | undefined>; cwd?: string } = {}): CapturedIo {
  const out: string[] = [];
  const err: string[] = [];
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  stdout.on('data', (c: Buffer) => out.push(c.toString()));
  stderr.on('data', (c: Buffer) => err.push(c.toString()));
  const stdin = new PassThrough();
  Object.assign(stdin, { isTTY: options.tty === true });
  return {
    io: { stdout, stderr, stdin, env: envOf(options.env), cwd: options.cwd ?? process.cwd() },
    stdout: () => out.join(''),
    stderr: () => err.join(''),
    stdin,
  };
}
