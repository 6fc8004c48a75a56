/**
 * Scripts that load the AWS SDK print no NodeVersionSupportWarning under Node 20 (they import
 * lib/sdk-node-notice.ts first), and an explicit AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=false
 * still shows it, which also proves these runs would see the warning if it were printed.
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..', '..');
const TSX = resolve(ROOT, 'node_modules', '.bin', 'tsx');

/** Runs a script with tsx in an environment without the variable (vitest's config sets it for tests). */
function run(script: string, args: readonly string[], extraEnv: Record<string, string> = {}): Promise<{ code: number; output: string }> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...(process.env.XDG_CACHE_HOME ? { XDG_CACHE_HOME: process.env.XDG_CACHE_HOME } : {}), ...extraEnv };
  return new Promise((done, fail) => {
    execFile(TSX, [script, ...args], { cwd: ROOT, env, timeout: 120_000 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') fail(error);
      else done({ code: typeof error?.code === 'number' ? error.code : 0, output: stdout + stderr });
    });
  });
}

const SCRIPTS: Array<[string, string[]]> = [
  ['bench/sweep.ts', ['--images', '200', '--repositories', '2', '--no-baseline']],
  ['emulator/bench/load.ts', ['500', '1000']],
];

describe('the AWS SDK Node version notice', () => {
  it.each(SCRIPTS)('%s does not print it', async (script, args) => {
    const { code, output } = await run(script, args);
    expect(code, output).toBe(0);
    expect(output).not.toContain('NodeVersionSupportWarning');
  });

  it('is printed again when the environment asks for it (=false)', async () => {
    const [script, args] = SCRIPTS[1]!;
    const { code, output } = await run(script, args, { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'false' });
    expect(code, output).toBe(0);
    expect(output).toContain('NodeVersionSupportWarning');
  });
});
