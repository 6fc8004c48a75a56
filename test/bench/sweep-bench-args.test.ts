/**
 * The sweep benchmark's command line, read by `node:util` parseArgs like the emulator's and the
 * planner benchmark's: both `--name=value` and `--name value`, `--help`, and a usage message with
 * exit 2 (not a stack trace) for a mistake. The one real run is tiny: 2 repositories, ~40 manifests.
 */
import { describe, expect, it } from 'vitest';
import { runBenchScript } from './support/run-bench.js';

const bench = (args: readonly string[]) => runBenchScript('bench/sweep.ts', args);

describe('bench/sweep.ts arguments', () => {
  it('runs a tiny sweep with --name value and --name=value mixed', async () => {
    const run = await bench(['--images', '40', '--repositories=2', '--rate', '500', '--latency-ms=0', '--seed', '7', '--no-baseline']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^registry: 2 repositories, ~40 manifests \(generator seed 7,/);
    expect(run.stdout).toContain('rate limits: 500 req/s (burst 500)');
    expect(run.stdout).toContain('+0 ms latency per request; concurrency 4');
    expect(run.stdout).not.toContain('baseline');
  });

  it.each([
    [['--bogus'], "Unknown option '--bogus'"],
    [['--images'], "Option '--images <value>' argument missing"],
    [['--images', 'lots'], '--images must be a whole number of at least 1, got "lots"'],
    [['--concurrency=0'], '--concurrency must be a whole number of at least 1, got "0"'],
    [['--rate', '0'], '--rate must be a number above 0, got "0"'],
    [['--latency-ms=-5'], '--latency-ms must be a number of at least 0, got "-5"'],
    [['--seed', '1.5'], '--seed must be a whole number of at least 0, got "1.5"'],
    [['--no-baseline=yes'], "Option '--no-baseline' does not take an argument"],
    [['200000'], "Unexpected argument '200000'. This command does not take positional arguments"],
  ])('%j: exit 2 with the usage, no stack trace, no emulator started', async (args, message) => {
    const run = await bench(args);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.split('\n')[0]).toBe(`bench:sweep: ${message}`);
    expect(run.stderr).toMatch(/^usage: npm run bench:sweep -- \[options\]/m);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it.each(['--help', '-h'])('%s prints the usage with every option and exits 0', async (flag) => {
    const run = await bench([flag]);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/^usage: npm run bench:sweep/);
    for (const option of ['--images N', '--repositories N', '--rate N', '--latency-ms N', '--concurrency N', '--seed N', '--no-baseline', '--cli-check N']) {
      expect(run.stdout).toContain(option);
    }
  });
});
