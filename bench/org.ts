/**
 * Organization benchmark (`npm run bench:org [-- --accounts N --regions a,b --images N
 * --repositories N --rate N --latency-ms N --target-concurrency N --concurrency N --seed N]`;
 * `-- --help` lists them): N accounts × M Regions of generated registries (default 3 × 4 = 12
 * targets of about 20,000 manifests each) served by one emulator child process, each target with
 * its own rate limits (ECR's are per account and Region), swept as one run in apply mode through
 * AssumeRole into each account, with the bench:sweep rule ("delete every untagged image").
 * Prints, per target and in total, the ECR calls against the lower bound computed from what each
 * target's sweep listed and planned; the wall time against the slowest target's rate-limit bound
 * (targets run in parallel, so the run can be no faster than its slowest target); the CPU the
 * sweeper used, per 1,000 images and its main thread apart from V8's garbage-collector and
 * compiler threads, and the emulator's (on a small machine the run can be bound by CPU rather
 * than by the rates); and peak RSS.
 */
// First: quiets the SDK's Node 20 notice before anything loads the SDK.
import '../lib/sdk-node-notice.js';
import type { ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { generateOrganization } from '../emulator/index.js';
import type { SweepResult } from '../lib/core/result-model.js';
import type { RuleSet } from '../lib/core/rules-model.js';
import { targetKey, type Target } from '../lib/core/targets.js';
import { targetClients, type AwsClients } from '../lib/adapters/aws-clients.js';
import { ecrRegistry } from '../lib/adapters/ecr-registry-connector.js';
import { runTargets } from '../lib/engine/org-sweep.js';
import { BenchUsageError, numberAtLeast, parseBenchArgs, positiveNumber, runBench, wholeNumber } from './support/bench-args.js';
import { generatorFor } from './support/generator-size.js';
import { spawnEmulator } from './support/spawn-emulator.js';
import { OPERATIONS, lowerBound } from './support/sweep-bound.js';

interface Args {
  accounts: number;
  regions: string[];
  images: number;
  repositories: number;
  rate: number;
  latencyMs: number;
  targetConcurrency: number | undefined;
  concurrency: number;
  seed: number;
}

const NOW = '2026-06-01T00:00:00.000Z';
const SWEEPER_KEY = 'AKIDBENCHSWEEPER';
const ROLE = 'EcrSweeperTarget';
const DEFAULTS: Args = {
  accounts: 3,
  regions: ['eu-west-1', 'eu-central-1', 'us-east-1', 'us-west-2'],
  images: 20_000,
  repositories: 40,
  rate: 20,
  latencyMs: 20,
  targetConcurrency: undefined,
  concurrency: 4,
  seed: 42,
};

const USAGE = `usage: npm run bench:org -- [options]   (each option as --name=value or --name value)
  --accounts N            accounts, 1-9 (default ${DEFAULTS.accounts})
  --regions a,b,...       Regions of every account (default ${DEFAULTS.regions.join(',')})
  --images N              manifests per target, about (default ${DEFAULTS.images})
  --repositories N        repositories per target (default ${DEFAULTS.repositories})
  --rate N                requests/second each target allows per operation (default ${DEFAULTS.rate})
  --latency-ms N          delay the emulator adds to every answer (default ${DEFAULTS.latencyMs})
  --target-concurrency N  targets swept at once (default: all of them)
  --concurrency N         requests in flight per target (default ${DEFAULTS.concurrency})
  --seed N                generator seed (default ${DEFAULTS.seed})
  -h, --help              print this`;

function parseOrgArgs(argv: string[]): Args | 'help' {
  const values = parseBenchArgs(argv, {
    accounts: { type: 'string' },
    regions: { type: 'string' },
    images: { type: 'string' },
    repositories: { type: 'string' },
    rate: { type: 'string' },
    'latency-ms': { type: 'string' },
    'target-concurrency': { type: 'string' },
    concurrency: { type: 'string' },
    seed: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return 'help';
  const pick = <T>(value: string | undefined, fallback: T, read: (v: string) => T): T => (value === undefined ? fallback : read(value));
  return {
    accounts: pick(values.accounts, DEFAULTS.accounts, accountCount),
    regions: pick(values.regions, DEFAULTS.regions, regionList),
    images: pick(values.images, DEFAULTS.images, (v) => wholeNumber('--images', v)),
    repositories: pick(values.repositories, DEFAULTS.repositories, (v) => wholeNumber('--repositories', v)),
    rate: pick(values.rate, DEFAULTS.rate, (v) => positiveNumber('--rate', v)),
    latencyMs: pick(values['latency-ms'], DEFAULTS.latencyMs, (v) => numberAtLeast('--latency-ms', v, 0)),
    targetConcurrency: pick<number | undefined>(values['target-concurrency'], undefined, (v) => wholeNumber('--target-concurrency', v)),
    concurrency: pick(values.concurrency, DEFAULTS.concurrency, (v) => wholeNumber('--concurrency', v)),
    seed: pick(values.seed, DEFAULTS.seed, (v) => wholeNumber('--seed', v, 0)),
  };
}

/** The generator names accounts 111111111111 … 999999999999: 1-9 of them. */
function accountCount(value: string): number {
  const n = wholeNumber('--accounts', value);
  if (n > 9) throw new BenchUsageError(`--accounts must be at most 9 (the generated accounts are 111111111111 … 999999999999), got "${value}"`);
  return n;
}

/** A comma-separated list of distinct Region names. */
function regionList(value: string): string[] {
  const regions = value.split(',').map((r) => r.trim());
  const bad = regions.find((r) => !/^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/.test(r));
  if (bad !== undefined) throw new BenchUsageError(`--regions must be a comma-separated list of Region names like eu-west-1, got "${bad}"`);
  if (new Set(regions).size !== regions.length) throw new BenchUsageError(`--regions lists a Region twice: "${value}"`);
  return regions;
}

/** The bench:sweep rule: delete every untagged image (children of kept indexes and referrers of kept images stay). */
const RULES: RuleSet = {
  defaults: { mode: 'apply', minAgeMs: 0, maxDeletionsPerRun: null, maxDeletePercentPerRepository: null },
  protect: { tags: [], repositories: [] },
  policies: [
    {
      name: 'untagged',
      repositories: { include: ['**'], exclude: [] },
      rules: [
        {
          id: 'untagged',
          selection: { tagStatus: 'untagged', tagPatterns: [], excludeTagPatterns: [], storageClass: 'standard' },
          condition: { type: 'sinceImagePushed', ms: 0 },
          action: { type: 'expire' },
        },
      ],
      origin: 'rules',
    },
  ],
  source: 'bench: delete every untagged image, in every target',
};

async function statsOf(url: string, target: Target): Promise<{ requests: Record<string, number>; throttled: Record<string, number> }> {
  const response = await fetch(`${url}/_emulator/stats?account=${target.accountId}&region=${target.region}`);
  return (await response.json()) as { requests: Record<string, number>; throttled: Record<string, number> };
}

/** The time a target's rate limits allow for its bound calls: its busiest operation's calls beyond the burst, over the rate. */
function timeBoundMs(bound: Record<string, number>, rate: number): number {
  let ms = 0;
  for (const op of OPERATIONS) {
    const calls = bound[op] ?? 0;
    const perSecond = op === 'BatchGetImage' ? 2000 : rate;
    ms = Math.max(ms, (Math.max(0, calls - perSecond) / perSecond) * 1000);
  }
  return ms;
}

/** CPU time (user + system, ms) a child process has used so far, from /proc; 0 where /proc is not there. */
async function childCpuMs(pid: number | undefined): Promise<number> {
  if (pid === undefined) return 0;
  try {
    return statCpuMs(await readFile(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return 0;
  }
}

/** CPU time (ms) of this process's main thread so far, from /proc; undefined where /proc is not there. */
async function mainThreadCpuMs(): Promise<number | undefined> {
  try {
    // The main thread's id is the process id.
    return statCpuMs(await readFile(`/proc/self/task/${process.pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Fields 14 and 15 of a /proc stat line (user and system time), after the parenthesised command name; clock ticks of 10 ms on Linux. */
function statCpuMs(stat: string): number {
  const fields = stat.split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function pad(value: string | number, width: number): string {
  return String(value).padStart(width);
}

async function main(args: Args): Promise<void> {
  const generate = generatorFor(args);
  const limit = { rate: args.rate, burst: args.rate };
  const rateLimits = Object.fromEntries(
    ['DescribeRepositories', 'ListTagsForResource', 'DescribeImages', 'ListImages', 'BatchDeleteImage', 'UpdateImageStorageClass'].map((op) => [op, limit] as const),
  );
  const accounts = generateOrganization({ accounts: args.accounts, regions: args.regions, generate, rateLimits: { ...rateLimits, BatchGetImage: { rate: 2000, burst: 2000 } } });
  const targets: Target[] = Object.keys(accounts)
    .flatMap((accountId) => args.regions.map((region) => ({ accountId, region, roleArn: `arn:aws:iam::${accountId}:role/${ROLE}` })))
    .sort((a, b) => (targetKey(a) < targetKey(b) ? -1 : 1));
  const targetConcurrency = args.targetConcurrency ?? targets.length;
  console.log(`organization: ${args.accounts} accounts × ${args.regions.length} Regions = ${targets.length} targets, each ${args.repositories} repositories of ~${args.images} manifests (seed ${args.seed}, entries per repository ${JSON.stringify(generate.imagesPerRepository)})`);
  console.log(`each target: ${args.rate} req/s (burst ${args.rate}) per ECR operation, BatchGetImage 2000 req/s; +${args.latencyMs} ms latency; ${args.concurrency} requests in flight per target; ${targetConcurrency} targets at once`);

  let emulator: { url: string; child: ChildProcess } | undefined;
  const clients: AwsClients[] = [];
  let peakRss = 0;
  let peakHeap = 0;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  }, 50);
  try {
    emulator = await spawnEmulator({ now: NOW, latencyMs: args.latencyMs, accounts, pullTimeUpdateExclusions: [SWEEPER_KEY] });
    const url = emulator.url;
    const base = { endpoint: url, env: {}, credentials: { accessKeyId: SWEEPER_KEY, secretAccessKey: 'bench' } };
    const runId = 'bench-org';
    const sweeps = targets.map((target) => {
      const c = targetClients(target, base, runId);
      clients.push(c);
      return { target, deps: { registry: ecrRegistry(c.ecr) } };
    });
    const baseRss = process.memoryUsage().rss;
    const started = performance.now();
    const mainCpuBefore = await mainThreadCpuMs();
    const cpuBefore = process.cpuUsage();
    const emulatorCpuBefore = await childCpuMs(emulator.child.pid);
    const output = await runTargets({ targets: sweeps }, { ruleSet: RULES, mode: 'apply', now: Date.parse(NOW), runId, concurrency: args.concurrency, targetConcurrency });
    const wallMs = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    const mainCpuAfter = await mainThreadCpuMs();
    const emulatorCpuMs = (await childCpuMs(emulator.child.pid)) - emulatorCpuBefore;
    clearInterval(sampler);

    const totals = output.result.totals;
    console.log(`\nrun: ${totals.images} images listed, ${totals.planned} planned deletions, ${totals.deleted} deleted, ${totals.failed} failed, ${totals.skipped} skipped; failed targets: ${output.perTarget.filter((t) => t.error).length}`);
    console.log(`${'target'.padEnd(26)}${pad('images', 8)}${pad('deleted', 9)}${pad('calls', 7)}${pad('bound', 7)}${pad('excess', 8)}${pad('throttled', 10)}${pad('bound s', 9)}`);
    let calls = 0;
    let bound = 0;
    let slowestMs = 0;
    for (const entry of output.perTarget) {
      const target = targets.find((t) => targetKey(t) === targetKey(entry.target))!;
      const result: SweepResult | undefined = entry.result;
      if (!result) {
        console.log(`${targetKey(entry.target).padEnd(26)} FAILED: ${entry.error?.message ?? 'no result'}`);
        continue;
      }
      const lb = lowerBound(result, RULES);
      const made = OPERATIONS.reduce((n, op) => n + (result.apiCalls[op] ?? 0), 0);
      const least = OPERATIONS.reduce((n, op) => n + (lb[op] ?? 0), 0);
      const server = await statsOf(url, target);
      const ms = timeBoundMs(lb, args.rate);
      slowestMs = Math.max(slowestMs, ms);
      calls += made;
      bound += least;
      const throttled = Object.values(server.throttled).reduce((a, b) => a + b, 0);
      console.log(
        `${targetKey(entry.target).padEnd(26)}${pad(result.totals.images, 8)}${pad(result.totals.deleted, 9)}${pad(made, 7)}${pad(least, 7)}${pad(`${(((made - least) / Math.max(least, 1)) * 100).toFixed(1)}%`, 8)}${pad(throttled, 10)}${pad((ms / 1000).toFixed(1), 9)}`,
      );
    }
    // AssumeRole goes to STS as the sweeper (the emulator's home account), not to the target.
    const home = (await (await fetch(`${url}/_emulator/stats`)).json()) as { requests: Record<string, number> };
    console.log(`STS AssumeRole: ${home.requests['sts:AssumeRole'] ?? 0} calls for ${targets.length} targets (credentials are assumed once per target and refreshed only when they near expiry)`);
    console.log(`calls: ${calls} against a lower bound of ${bound}: ${(calls / Math.max(bound, 1)).toFixed(3)}x (goal ≤ 1.02x)`);
    console.log(`wall time: ${(wallMs / 1000).toFixed(1)} s against the slowest target's rate-limit bound of ${(slowestMs / 1000).toFixed(1)} s: ${(wallMs / Math.max(slowestMs, 1)).toFixed(2)}x (goal ≤ 1.2x); one target after another would be bounded by ${((slowestMs * targets.length) / 1000).toFixed(0)} s or more`);
    // On a small machine the run can be bound by CPU rather than by the targets' rate limits: say so.
    const sweeperCpuMs = (cpu.user + cpu.system) / 1000;
    // The process's other threads are V8's: parallel and concurrent garbage collection, and the optimizing compiler.
    const threads = mainCpuBefore === undefined || mainCpuAfter === undefined ? '' : `: main thread ${((mainCpuAfter - mainCpuBefore) / 1000).toFixed(1)} s, V8's GC and compiler threads ${((sweeperCpuMs - (mainCpuAfter - mainCpuBefore)) / 1000).toFixed(1)} s`;
    console.log(`CPU: sweeper ${(sweeperCpuMs / 1000).toFixed(1)} s (${((sweeperCpuMs / Math.max(totals.images, 1)) * 1000).toFixed(1)} ms per 1,000 images listed${threads}), emulator ${(emulatorCpuMs / 1000).toFixed(1)} s, on ${availableParallelism()} cores (${(((sweeperCpuMs + emulatorCpuMs) / (wallMs * availableParallelism())) * 100).toFixed(0)}% of the machine during the run)`);
    console.log(`peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB (start ${(baseRss / 2 ** 20).toFixed(0)} MiB), peak heap ${(peakHeap / 2 ** 20).toFixed(0)} MiB; retries ${output.result.retries}, throttles ${output.result.throttles}`);
  } finally {
    clearInterval(sampler);
    for (const c of clients) c.destroy();
    emulator?.child.kill('SIGTERM');
  }
}

runBench('bench:org', USAGE, parseOrgArgs, main).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
