/**
 * Sweep benchmark (`npm run bench:sweep [-- --images N --repositories N --rate N --latency-ms N
 * --concurrency N --seed N --no-baseline --cli-check N --by-tag]`; `-- --help` lists them): a
 * generated registry (default 200,000 manifests in 500 repositories) served by the emulator in a
 * child process under per-operation rate limits, swept in apply mode with the rule "delete every
 * untagged image" (with `--by-tag`, in the repositories tagged cleanup=untagged: every repository
 * is tagged so first, and the sweep reads each one's tags with ListTagsForResource, rate-limited
 * like the listing). Prints API calls per operation
 * against the lower bound, wall time against the time the rate limits allow, retries, throttles,
 * peak memory, then the same cleanup done the way the API reference suggests (list untagged,
 * batch-delete by 100, repository by repository) on an identical registry, as a ratio.
 */
// First: quiets the SDK's Node 20 notice before anything loads the SDK.
import '../lib/sdk-node-notice.js';
import { execFile, type ChildProcess } from 'node:child_process';
import { BatchDeleteImageCommand, ECRClient, TagResourceCommand, paginateDescribeRepositories, paginateListImages, type ImageIdentifier } from '@aws-sdk/client-ecr';
import type { GeneratorOptions } from '../emulator/index.js';
import type { Plan } from '../lib/core/plan-model.js';
import type { SweepResult } from '../lib/core/result-model.js';
import type { RuleSet } from '../lib/core/rules-model.js';
import { createEcrClient } from '../lib/adapters/ecr-client.js';
import { runSweep } from '../lib/engine/sweep.js';
import { OPERATIONS, lowerBound } from './support/sweep-bound.js';
import { numberAtLeast, parseBenchArgs, positiveNumber, runBench, wholeNumber } from './support/bench-args.js';
import { generatorFor } from './support/generator-size.js';
import { spawnEmulator } from './support/spawn-emulator.js';
import { ecrRegistry } from '../lib/adapters/ecr-registry-connector.js';

interface Args {
  images: number;
  repositories: number;
  rate: number;
  latencyMs: number;
  concurrency: number;
  baseline: boolean;
  seed: number;
  /** Repositories on which the real AWS CLI checks the baseline replica (0 = skip). */
  cliCheck: number;
  /** Select the swept repositories by resource tag (ListTagsForResource per repository). */
  byTag: boolean;
}

const NOW = '2026-06-01T00:00:00.000Z';
const SWEEPER_KEY = 'AKIDBENCHSWEEPER';

const DEFAULTS: Args = { images: 200_000, repositories: 500, rate: 20, latencyMs: 20, concurrency: 4, baseline: true, seed: 42, cliCheck: 0, byTag: false };

const USAGE = `usage: npm run bench:sweep -- [options]   (each option as --name=value or --name value)
  --images N              manifests in the generated registry, about (default ${DEFAULTS.images})
  --repositories N        repositories (default ${DEFAULTS.repositories})
  --rate N                requests/second the emulator allows per operation (default ${DEFAULTS.rate})
  --latency-ms N          delay the emulator adds to every answer (default ${DEFAULTS.latencyMs})
  --concurrency N         repositories the sweep works on at once (default ${DEFAULTS.concurrency})
  --seed N                generator seed (default ${DEFAULTS.seed})
  --no-baseline           skip the naive "list untagged, delete by 100" comparison
  --cli-check N           check the baseline on N repositories with the real AWS CLI (default 0 = skip)
  --by-tag                select the swept repositories by resource tag (ListTagsForResource each)
  -h, --help              print this`;

/** Reads the command line (`node:util` parseArgs, as the emulator does); 'help' for --help. */
function parseSweepArgs(argv: string[]): Args | 'help' {
  const values = parseBenchArgs(argv, {
    images: { type: 'string' },
    repositories: { type: 'string' },
    rate: { type: 'string' },
    'latency-ms': { type: 'string' },
    concurrency: { type: 'string' },
    seed: { type: 'string' },
    'no-baseline': { type: 'boolean' },
    'cli-check': { type: 'string' },
    'by-tag': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return 'help';
  const pick = <T>(value: string | undefined, fallback: T, read: (v: string) => T): T => (value === undefined ? fallback : read(value));
  return {
    images: pick(values.images, DEFAULTS.images, (v) => wholeNumber('--images', v)),
    repositories: pick(values.repositories, DEFAULTS.repositories, (v) => wholeNumber('--repositories', v)),
    rate: pick(values.rate, DEFAULTS.rate, (v) => positiveNumber('--rate', v)),
    latencyMs: pick(values['latency-ms'], DEFAULTS.latencyMs, (v) => numberAtLeast('--latency-ms', v, 0)),
    concurrency: pick(values.concurrency, DEFAULTS.concurrency, (v) => wholeNumber('--concurrency', v)),
    seed: pick(values.seed, DEFAULTS.seed, (v) => wholeNumber('--seed', v, 0)),
    baseline: !values['no-baseline'],
    cliCheck: pick(values['cli-check'], DEFAULTS.cliCheck, (v) => wholeNumber('--cli-check', v, 0)),
    byTag: values['by-tag'] === true,
  };
}

async function startChild(generate: GeneratorOptions, args: Args): Promise<{ url: string; child: ChildProcess }> {
  const limit = { rate: args.rate, burst: args.rate };
  const options = {
    now: NOW,
    generate,
    latencyMs: args.latencyMs,
    pullTimeUpdateExclusions: [SWEEPER_KEY],
    rateLimits: {
      DescribeRepositories: limit,
      ListTagsForResource: limit,
      DescribeImages: limit,
      ListImages: limit,
      BatchDeleteImage: limit,
      UpdateImageStorageClass: limit,
      // The one published quota among the calls used (service-quotas page): 2,000/s.
      BatchGetImage: { rate: 2000, burst: 2000 },
    },
  };
  return spawnEmulator(options);
}

async function stats(url: string): Promise<{ requests: Record<string, number>; throttled: Record<string, number> }> {
  const response = await fetch(`${url}/_emulator/stats`);
  return (await response.json()) as { requests: Record<string, number>; throttled: Record<string, number> };
}

function client(url: string, maxAttempts: number): ECRClient {
  return createEcrClient({ endpoint: url, region: 'us-east-1', env: {}, maxAttempts, extra: { credentials: { accessKeyId: SWEEPER_KEY, secretAccessKey: 'bench' } } });
}

/** The resource tag `--by-tag` selects repositories by. */
const BENCH_TAG = { cleanup: 'untagged' };

/** The bench's rules; with `byTag`, its policy selects repositories by resource tag instead of by name. */
function rulesFor(byTag: boolean): RuleSet {
  if (!byTag) return RULES;
  const [policy] = RULES.policies;
  return { ...RULES, policies: [{ ...policy!, repositories: { include: [], exclude: [], tags: BENCH_TAG } }], source: `${RULES.source}; repositories tagged cleanup=untagged` };
}

/** Tags every repository with {@link BENCH_TAG} (setup for `--by-tag`, before the sweep); returns the calls made. */
async function tagEveryRepository(url: string): Promise<number> {
  const ecr = client(url, 10);
  let calls = 0;
  try {
    for await (const page of paginateDescribeRepositories({ client: ecr }, {})) {
      calls += 1;
      for (const r of page.repositories ?? []) {
        await ecr.send(new TagResourceCommand({ resourceArn: r.repositoryArn!, tags: Object.entries(BENCH_TAG).map(([Key, Value]) => ({ Key, Value })) }));
        calls += 1;
      }
    }
  } finally {
    ecr.destroy();
  }
  return calls;
}

const RULES: RuleSet = {
  defaults: { mode: 'apply', minAgeMs: 0, maxDeletionsPerRun: null, maxDeletePercentPerRepository: null },
  protect: { tags: [], repositories: [] },
  policies: [
    {
      name: 'untagged',
      repositories: { include: ['**'], exclude: [] },
      rules: [
        {
          // A few archive transitions (one UpdateImageStorageClass each): old pull-request builds.
          id: 'archive-old-pr-builds',
          selection: { tagStatus: 'tagged', tagPatterns: ['pr-*'], excludeTagPatterns: [], storageClass: 'standard' },
          condition: { type: 'sinceImagePushed', ms: 390 * 86_400_000 },
          action: { type: 'transition', targetStorageClass: 'archive' },
        },
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
  source: 'bench: delete every untagged image, archive pull-request builds older than 390 days',
};

/** The cleanup as the API reference suggests it, replicated with the SDK (see docs/engine.md). */
async function baseline(url: string, only?: readonly string[]): Promise<{ ms: number; deleted: Set<string>; failures: Record<string, number> }> {
  // AWS CLI v1 defaults: legacy retry mode, 5 attempts; one request at a time.
  const ecr = client(url, 5);
  const started = performance.now();
  const failures: Record<string, number> = {};
  const deleted = new Set<string>();
  const names: string[] = [];
  if (only) names.push(...only);
  else for await (const page of paginateDescribeRepositories({ client: ecr }, {})) for (const r of page.repositories ?? []) names.push(r.repositoryName!);
  for (const repositoryName of names) {
    const ids: ImageIdentifier[] = [];
    for await (const page of paginateListImages({ client: ecr }, { repositoryName, filter: { tagStatus: 'UNTAGGED' } })) ids.push(...(page.imageIds ?? []));
    for (let i = 0; i < ids.length; i += 100) {
      try {
        const out = await ecr.send(new BatchDeleteImageCommand({ repositoryName, imageIds: ids.slice(i, i + 100) }));
        for (const id of out.imageIds ?? []) deleted.add(`${repositoryName}@${id.imageDigest}`);
        for (const f of out.failures ?? []) failures[f.failureCode ?? 'Unknown'] = (failures[f.failureCode ?? 'Unknown'] ?? 0) + 1;
      } catch (error) {
        const code = (error as Error).name;
        failures[`call:${code}`] = (failures[`call:${code}`] ?? 0) + Math.min(100, ids.length - i);
      }
    }
  }
  return { ms: performance.now() - started, deleted, failures };
}

/** The same cleanup with the real AWS CLI, for a few repositories: checks the replica's call pattern. */
async function cliBaseline(url: string, repositories: readonly string[]): Promise<{ ms: number; deleted: number; failures: number }> {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, AWS_ACCESS_KEY_ID: SWEEPER_KEY, AWS_SECRET_ACCESS_KEY: 'bench', AWS_DEFAULT_REGION: 'us-east-1', AWS_PAGER: '', AWS_CONFIG_FILE: '/nonexistent', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent' };
  const aws = (args: string[]): Promise<unknown> =>
    new Promise((resolve, reject) => {
      execFile('aws', ['ecr', ...args, '--endpoint-url', url, '--output', 'json'], { env, maxBuffer: 64 * 2 ** 20 }, (error, stdout, stderr) =>
        error ? reject(new Error(`aws ${args[0]}: ${stderr || error.message}`)) : resolve(stdout.trim() ? JSON.parse(stdout) : null),
      );
    });
  const started = performance.now();
  let deleted = 0;
  let failures = 0;
  for (const repositoryName of repositories) {
    const ids = (await aws(['list-images', '--repository-name', repositoryName, '--filter', 'tagStatus=UNTAGGED', '--query', 'imageIds'])) as ImageIdentifier[];
    for (let i = 0; i < ids.length; i += 100) {
      const out = (await aws(['batch-delete-image', '--repository-name', repositoryName, '--image-ids', JSON.stringify(ids.slice(i, i + 100))])) as { imageIds?: unknown[]; failures?: unknown[] };
      deleted += out.imageIds?.length ?? 0;
      failures += out.failures?.length ?? 0;
    }
  }
  return { ms: performance.now() - started, deleted, failures };
}

function pad(value: string | number, width: number): string {
  return String(value).padStart(width);
}

async function main(args: Args): Promise<void> {
  const generate = generatorFor(args);
  console.log(`registry: ${args.repositories} repositories, ~${args.images} manifests (generator seed ${args.seed}, entries per repository ${JSON.stringify(generate.imagesPerRepository)})`);
  console.log(`rate limits: ${args.rate} req/s (burst ${args.rate}) for DescribeRepositories, ListTagsForResource, DescribeImages, ListImages, BatchDeleteImage, UpdateImageStorageClass; BatchGetImage 2000 req/s; +${args.latencyMs} ms latency per request; concurrency ${args.concurrency}`);

  const target = await startChild(generate, args);
  const rules = rulesFor(args.byTag);
  const setupCalls = args.byTag ? await tagEveryRepository(target.url) : 0;
  if (args.byTag) console.log(`by tag: every repository tagged cleanup=untagged first (${setupCalls} setup calls, not counted below)`);
  let peakRss = 0;
  let peakHeap = 0;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  }, 50);
  const baseRss = process.memoryUsage().rss;
  let result: SweepResult;
  try {
    const started = performance.now();
    let plan: Plan;
    ({ result, plan } = await runSweep({ registry: ecrRegistry(client(target.url, 3)) }, { ruleSet: rules, mode: 'apply', concurrency: args.concurrency, now: Date.parse(NOW) }));
    const wallMs = performance.now() - started;
    clearInterval(sampler);
    const server = await stats(target.url);
    const bound = lowerBound(result, rules);
    const images = result.totals.images;
    console.log(`\nsweep: ${images} images listed, ${result.totals.planned} planned deletions, ${result.totals.deleted} deleted, ${result.totals.archived} archived, ${result.totals.failed} failed, ${result.totals.skipped} skipped`);
    console.log(`${'operation'.padEnd(22)}${pad('calls', 8)}${pad('bound', 8)}${pad('excess', 9)}${pad('throttled', 11)}`);
    let totalCalls = 0;
    let totalBound = 0;
    let timeBoundMs = 0;
    for (const op of OPERATIONS) {
      const calls = result.apiCalls[op] ?? 0;
      const lb = bound[op] ?? 0;
      if (calls === 0 && lb === 0) continue;
      totalCalls += calls;
      totalBound += lb;
      const rate = op === 'BatchGetImage' ? 2000 : args.rate;
      timeBoundMs = Math.max(timeBoundMs, (Math.max(0, lb - rate) / rate) * 1000);
      console.log(`${op.padEnd(22)}${pad(calls, 8)}${pad(lb, 8)}${pad(`${(((calls - lb) / Math.max(lb, 1)) * 100).toFixed(1)}%`, 9)}${pad(server.throttled[op] ?? 0, 11)}`);
    }
    console.log(`${'total'.padEnd(22)}${pad(totalCalls, 8)}${pad(totalBound, 8)}${pad(`${(((totalCalls - totalBound) / totalBound) * 100).toFixed(1)}%`, 9)}${pad(result.throttles, 11)}`);
    console.log(`wall time: ${(wallMs / 1000).toFixed(1)} s; rate-limit bound ${(timeBoundMs / 1000).toFixed(1)} s (busiest operation's bound calls / rate, burst credited); ratio ${(wallMs / timeBoundMs).toFixed(2)}x`);
    console.log(`retries: ${result.retries}, throttles: ${result.throttles}; peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB (start ${(baseRss / 2 ** 20).toFixed(0)} MiB), peak heap ${(peakHeap / 2 ** 20).toFixed(0)} MiB`);
    console.log(`server saw ${Object.values(server.requests).reduce((a, b) => a + b, 0) - setupCalls} requests; the sweep counted ${totalCalls}`);

    if (args.baseline) {
      const reference = await startChild(generate, args);
      try {
        const b = await baseline(reference.url);
        const s = await stats(reference.url);
        const calls = Object.values(s.requests).reduce((a, c) => a + c, 0);
        console.log(`\nbaseline (SDK replica of \`aws ecr list-images --filter tagStatus=UNTAGGED\` | \`batch-delete-image\` per repository, 100 ids per call, sequential, 5 attempts):`);
        console.log(`  calls ${calls} (${OPERATIONS.filter((o) => s.requests[o]).map((o) => `${o} ${s.requests[o]}`).join(', ')}), throttled ${Object.values(s.throttled).reduce((a, c) => a + c, 0)}`);
        const keptByPlan = new Map<string, string>();
        for (const r of plan.repositories) for (const i of r.images) if (i.decision === 'keep') keptByPlan.set(`${r.repositoryName}@${i.imageDigest}`, i.role);
        const lost = [...b.deleted].filter((k) => keptByPlan.has(k));
        const lostRoles = lost.reduce<Record<string, number>>((acc, k) => ({ ...acc, [keptByPlan.get(k)!]: (acc[keptByPlan.get(k)!] ?? 0) + 1 }), {});
        console.log(`  wall time ${(b.ms / 1000).toFixed(1)} s; deleted ${b.deleted.size}; failures ${JSON.stringify(b.failures)}`);
        console.log(`  of its deletions, ${lost.length} are images the sweep's plan keeps (${JSON.stringify(lostRoles)}: e.g. signatures of kept images)`);
        console.log(`  ratio baseline/sweep: wall time ${(b.ms / wallMs).toFixed(2)}x, calls ${(calls / totalCalls).toFixed(2)}x`);
      } finally {
        reference.child.kill('SIGTERM');
      }
    }
    if (args.cliCheck > 0) await cliCheck(generate, args, result.repositories.map((r) => r.repositoryName).slice(0, args.cliCheck));
  } finally {
    clearInterval(sampler);
    target.child.kill('SIGTERM');
  }
}

/** Runs the real AWS CLI pipeline and the SDK replica on the same few repositories and compares them. */
async function cliCheck(generate: GeneratorOptions, args: Args, repositories: string[]): Promise<void> {
  const viaCli = await startChild(generate, args);
  const viaSdk = await startChild(generate, args);
  try {
    const cli = await cliBaseline(viaCli.url, repositories);
    const sdk = await baseline(viaSdk.url, repositories);
    const [a, b] = [await stats(viaCli.url), await stats(viaSdk.url)];
    const sdkFailures = Object.values(sdk.failures).reduce((n, c) => n + c, 0);
    console.log(`\nreal AWS CLI vs the SDK replica on ${repositories.length} repositories:`);
    console.log(`  ListImages ${a.requests.ListImages ?? 0} vs ${b.requests.ListImages ?? 0}; BatchDeleteImage ${a.requests.BatchDeleteImage ?? 0} vs ${b.requests.BatchDeleteImage ?? 0}; deleted ${cli.deleted} vs ${sdk.deleted.size}; failures ${cli.failures} vs ${sdkFailures}`);
    console.log(`  wall time ${(cli.ms / 1000).toFixed(1)} s (CLI, mostly process start-up) vs ${(sdk.ms / 1000).toFixed(1)} s (replica)`);
  } finally {
    viaCli.child.kill('SIGTERM');
    viaSdk.child.kill('SIGTERM');
  }
}

runBench('bench:sweep', USAGE, parseSweepArgs, main).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
