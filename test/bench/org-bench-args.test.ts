/**
 * The organization benchmark's command line, read like the other benchmarks' (`--name value` and
 * `--name=value`, `--help`, a usage message with exit 2 for a mistake), and one tiny real run:
 * 2 accounts × 1 Region through AssumeRole, whose every target must make exactly its lower bound
 * of calls (the emulator has no faults and the rates are generous).
 */
import { describe, expect, it } from 'vitest';
import { runBenchScript } from './support/run-bench.js';

const bench = (args: readonly string[]) => runBenchScript('bench/org.ts', args);

describe('bench/org.ts arguments', () => {
  it('runs a tiny organization with --name value and --name=value mixed, every target at its lower bound', async () => {
    const run = await bench(['--accounts', '2', '--regions=eu-west-1', '--images', '40', '--repositories=2', '--rate', '500', '--latency-ms=0', '--seed', '7']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^organization: 2 accounts × 1 Regions = 2 targets, each 2 repositories of ~40 manifests \(seed 7,/);
    expect(run.stdout).toContain('each target: 500 req/s (burst 500) per ECR operation');
    expect(run.stdout).toContain('2 targets at once');
    expect(run.stdout).toMatch(/^111111111111\/eu-west-1 +\d+ +\d+ +(\d+) +\1 +0\.0% +0 /m);
    expect(run.stdout).toMatch(/^222222222222\/eu-west-1 +\d+ +\d+ +(\d+) +\1 +0\.0% +0 /m);
    expect(run.stdout).toContain('failed targets: 0');
    expect(run.stdout).toContain('STS AssumeRole: 2 calls for 2 targets');
    expect(run.stdout).toMatch(/calls: (\d+) against a lower bound of \1: 1\.000x/);
    // The CPU per 1,000 images, and the main thread apart from V8's threads (on Linux, which has /proc).
    expect(run.stdout).toMatch(/^CPU: sweeper \d+\.\d s \(\d+\.\d ms per 1,000 images listed: main thread \d+\.\d s, V8's GC and compiler threads -?\d+\.\d s\), emulator \d+\.\d s, on \d+ cores/m);
  });

  it.each([
    [['--bogus'], "Unknown option '--bogus'"],
    [['--accounts', '10'], '--accounts must be at most 9'],
    [['--accounts=0'], '--accounts must be a whole number of at least 1, got "0"'],
    [['--regions', 'eu-west-1,Mars'], '--regions must be a comma-separated list of Region names like eu-west-1, got "Mars"'],
    [['--regions', 'eu-west-1,eu-west-1'], '--regions lists a Region twice: "eu-west-1,eu-west-1"'],
    [['--target-concurrency', '0'], '--target-concurrency must be a whole number of at least 1, got "0"'],
    [['--rate', '0'], '--rate must be a number above 0, got "0"'],
  ])('refuses %j with a usage message and exit 2', async (args, message) => {
    const run = await bench(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.stderr).toContain('usage: npm run bench:org');
    expect(run.stdout).toBe('');
  });

  it('prints the usage for --help', async () => {
    const run = await bench(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('--target-concurrency N');
  });
});
