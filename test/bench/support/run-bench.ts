/** Runs a benchmark script as `npm run bench:*` does, in a child process, and collects what it printed. */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');

export interface BenchRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** The suite's temp cache folder (test/support/test-cache-home.ts), so a bench's CLI runs keep their index store out of ~/.cache. */
function cacheHome(): Record<string, string> {
  return process.env.XDG_CACHE_HOME ? { XDG_CACHE_HOME: process.env.XDG_CACHE_HOME } : {};
}

/** Runs `node [nodeArgs] --import tsx <script> <args>` from the project root, with a minimal environment. */
export function runBenchScript(script: string, args: readonly string[], nodeArgs: readonly string[] = []): Promise<BenchRun> {
  return new Promise((done, fail) => {
    execFile(
      process.execPath,
      [...nodeArgs, '--import', 'tsx', script, ...args],
      { cwd: ROOT, timeout: 60_000, env: { PATH: process.env.PATH ?? '', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...cacheHome() } },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') fail(error);
        else done({ code: typeof error?.code === 'number' ? error.code : 0, stdout, stderr });
      },
    );
  });
}
