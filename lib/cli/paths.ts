/**
 * Paths given on the command line resolve against the CLI's working directory (`CliIo.cwd`),
 * which tests and the demo set explicitly.
 */
import { isAbsolute, resolve } from 'node:path';
import type { CliRuntime } from './runtime.js';

/** A path from the command line, resolved against the CLI's working directory. */
export function resolvePath(runtime: CliRuntime, path: string): string {
  return isAbsolute(path) ? path : resolve(runtime.io.cwd, path);
}
