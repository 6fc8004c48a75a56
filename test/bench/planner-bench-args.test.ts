/**
 * The planner benchmark's command line, read by `node:util` parseArgs like the emulator's: both
 * `--name=value` and `--name value`, a usage message (not a stack trace) for a mistake, and a
 * target verdict only for the full-size run. Runs the script the way `npm run bench:planner`
 * does, on tiny registries from the built-in generator.
 */
import { describe, expect, it } from 'vitest';
import { runBenchScript } from './support/run-bench.js';

const bench = (args: readonly string[]) => runBenchScript('bench/planner.ts', args, ['--expose-gc']);

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
    [['--bogus'], "Unknown option '--bogus'"],
    [['--repositories'], "Option '--repositories <value>' argument missing"],
    [['--repositories', '--retain'], "Option '--repositories' argument is ambiguous."],
    [['--repositories', 'many'], '--repositories must be a whole number of at least 1, got "many"'],
    [['--repositories', '0'], '--repositories must be a whole number of at least 1, got "0"'],
    [['--generator=docker'], '--generator must be builtin or emulator, got "docker"'],
    [['--retain=yes'], "Option '--retain' does not take an argument"],
    [['50'], "Unexpected argument '50'. This command does not take positional arguments"],
  ])('%j: exit 2 with the usage, no stack trace', async (args, message) => {
    const run = await bench(args);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.split('\n')[0]).toBe(`bench:planner: ${message}`);
    expect(run.stderr).toMatch(/^usage: npm run bench:planner -- \[options\]/m);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it.each(['--help', '-h'])('%s prints the usage and exits 0', async (flag) => {
    const run = await bench([flag]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^usage: npm run bench:planner/);
    expect(run.stdout).toContain('--images-per-repository N');
  });
});
