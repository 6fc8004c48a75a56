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
    io: { stdout, stderr, stdin, env: options.env ?? {}, cwd: options.cwd ?? process.cwd() },
    stdout: () => out.join(''),
    stderr: () => err.join(''),
    stdin,
  };
}
