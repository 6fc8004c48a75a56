/**
 * The CLI's view of its process: streams, environment and working directory. Commands receive it
 * instead of touching `process` so tests can run them in-process with captured output.
 */
import type { Readable, Writable } from 'node:stream';

/** A writable stream that may be a terminal. */
export type OutStream = Writable & { isTTY?: boolean; columns?: number };

/** A readable stream that may be a terminal. */
export type InStream = Readable & { isTTY?: boolean };

/** The process as a command sees it. */
export interface CliIo {
  stdout: OutStream;
  stderr: OutStream;
  stdin: InStream;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
}

/** The real process's streams, environment and working directory. */
export function nodeCliIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
  };
}
