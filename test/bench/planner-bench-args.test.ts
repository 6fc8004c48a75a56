/**
 * The planner benchmark's command line: both `--name=value` and `--name value`, a usage message
 * (not a stack trace) for a mistake, and a target verdict only for the full-size run. Runs the
 * script the way `npm run bench:planner` does, on tiny registries from the built-in generator.
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..', '..');

function bench(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    execFile(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', 'bench/planner.ts', ...args],
      { cwd: ROOT, timeout: 60_000, env: { PATH: process.env.PATH ?? '', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') fail(error);
        else done({ code: typeof error?.code === 'number' ? error.code : 0, stdout, stderr });
      },
    );
  });
}

const SMALL = ['--generator', 'builtin', '--images-per-repository', '10'];

describe('bench/planner.ts arguments', () => {
  it.each([
    ['--name value', ['--repositories', '3', ...SMALL]],
    ['--name=value', ['--repositories=3', '--generator=builtin', '--images-per-repository=10']],
  ])('accepts %s', async (_form, args) => {
    const run = await bench(args);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^planner benchmark \(builtin generator/);
    expect(run.stdout).toMatch(/\n {2}repositories {6}3\n/);
    expect(run.stdout).toMatch(/\n {2}manifests {9}30 /);
  });

  it('gives no target verdict on a small run, and says the target is for the full-size run', async () => {
    const run = await bench(['--repositories', '2', ...SMALL]);
    expect(run.code).toBe(0);
    expect(run.stdout).not.toMatch(/\bmet\b/);
    expect(run.stdout).toContain('target            < 2 s CPU and < 512 MiB applies to the full-size run (2,000 repositories x 500 images, ~1,000,000)');
  });

  it.each([
    [['--bogus'], 'unknown option --bogus'],
    [['--repositories'], '--repositories needs a value'],
    [['--repositories', '--retain'], '--repositories needs a value'],
    [['--repositories', 'many'], '--repositories must be a whole number of at least 1, got "many"'],
    [['--generator=docker'], '--generator must be builtin or emulator, got "docker"'],
    [['--retain=yes'], '--retain takes no value'],
    [['50'], 'unexpected argument "50"'],
  ])('%j: exit 2 with the usage, no stack trace', async (args, message) => {
    const run = await bench(args);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    const [first, second] = run.stderr.split('\n');
    expect(first).toBe(`bench:planner: ${message}`);
    expect(second).toMatch(/^usage: npm run bench:planner -- \[options\]/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('--help prints the usage and exits 0', async () => {
    const run = await bench(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^usage: npm run bench:planner/);
    expect(run.stdout).toContain('--images-per-repository N');
  });
});
