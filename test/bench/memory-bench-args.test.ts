/**
 * The memory benchmark's command line, read like the other benchmarks': `--name value` and
 * `--name=value`, `--help`, and a usage message with exit 2 for a mistake. The one real run is
 * tiny (2 repositories, ~60 manifests) and checks that the figures are printed.
 */
import { describe, expect, it } from 'vitest';
import { runBenchScript } from './support/run-bench.js';

const bench = (args: readonly string[]) => runBenchScript('bench/memory.ts', args, ['--expose-gc']);

describe('bench/memory.ts arguments', () => {
  it('runs a tiny CLI apply and prints peak RSS, heap and images per second', async () => {
    const run = await bench(['--images', '60', '--repositories=2', '--seed', '7']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/ecr-sweeper apply \(CLI, one process, --out, --checkpoint, journal\), 2 repositories, ~60 images requested: exit 0 in [\d.]+ s/);
    expect(run.stdout).toMatch(/images: \d+ \(rows of result\.csv\); \d+ images\/s/);
    expect(run.stdout).toMatch(/memory: peak RSS \d+ MiB \(before the run \d+ MiB\), peak heap \d+ MiB; target < 512 MiB RSS/);
    expect(run.stdout).toMatch(/files: plan\.json [\d.]+ MiB, report\.html/);
  });

  it.each([
    [['--bogus'], "Unknown option '--bogus'"],
    [['--images', 'lots'], '--images must be a whole number of at least 1, got "lots"'],
    [['--repositories=0'], '--repositories must be a whole number of at least 1, got "0"'],
    [['1000000'], "Unexpected argument '1000000'. This command does not take positional arguments"],
  ])('%j: exit 2 with the usage, no stack trace, no emulator started', async (args, message) => {
    const run = await bench(args);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.split('\n')[0]).toBe(`bench:memory: ${message}`);
    expect(run.stderr).toMatch(/^usage: npm run bench:memory -- \[options\]/m);
  });

  it('--help prints the usage', async () => {
    const run = await bench(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^usage: npm run bench:memory/);
  });
});
