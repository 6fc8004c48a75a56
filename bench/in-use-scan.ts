/**
 * In-use scan benchmark (`npm run bench:in-use [-- --clusters N --services N --tasks N --families N
 * --functions N --jobs N --apprunner N --repositories N --images N --latency-ms N --rate N --seed N]`;
 * `-- --help` lists them): the emulator, in a child process, serves a synthetic account (default
 * 20 clusters, 300 services, 2,000 tasks, 500 task definition families, 1,000 Lambda functions, 100
 * Batch job definitions, 20 App Runner services, referencing a generated registry of 200
 * repositories) and every AWS in-use reader (ECS, Lambda, Batch, App Runner) scans it through the
 * real SDK over HTTP, concurrently, as a run does, built as the drivers build them
 * (createInUseReaders, lib/adapters/in-use-readers.ts) with the default settings (5 rollback
 * revisions per family, 5 newest Lambda versions) plus Batch and App Runner, on the clients every
 * run builds (lib/adapters/aws-clients.ts).
 *
 * Prints, per operation, the calls made against the lower bound computed from the generated
 * account (the derivation is in bench/support/in-use-bound.ts), the ratio, the usages each source
 * found and each scan's wall time. The Lambda reader paces itself under Lambda's quotas (12/s for
 * the control-plane calls, 80/s for GetFunction: lib/adapters/in-use-lambda.ts), so its wall time
 * is compared with the time that pacing allows for the bound's calls; with `--rate N` the emulator
 * also rate-limits every in-use operation to N requests/s (burst N) and the output says so.
 * In-use files make no API calls against the account and are not part of this bench.
 */
// First: quiets the SDK's Node 20 notice before anything loads the SDK.
import '../lib/sdk-node-notice.js';
import { generateConsumers, startEmulator, type GeneratorOptions, type ImageSource } from '../emulator/index.js';
import { LAMBDA_DEFAULT_RATES } from '../lib/adapters/in-use-lambda.js';
import { createInUseReaders } from '../lib/adapters/in-use-readers.js';
import { DEFAULT_IN_USE_SETTINGS, DEFAULT_LAMBDA_VERSIONS, DEFAULT_TASK_DEFINITION_REVISIONS } from '../lib/core/in-use-settings.js';
import { createAwsClients } from '../lib/adapters/aws-clients.js';
import type { InUseScan } from '../lib/engine/types.js';
import { BenchUsageError, numberAtLeast, parseBenchArgs, runBench, wholeNumber } from './support/bench-args.js';
import { inUseLowerBound, pacingBoundMs, type AccountSections } from './support/in-use-bound.js';
import { spawnEmulator } from './support/spawn-emulator.js';

/** The bench's command line. */
interface InUseBenchArgs {
  clusters: number;
  services: number;
  tasks: number;
  families: number;
  functions: number;
  jobs: number;
  apprunner: number;
  repositories: number;
  /** Top-level images per repository in the generated registry. */
  images: number;
  latencyMs: number;
  /** Emulator rate limit per in-use operation, requests/s; 0 = none. */
  rate: number;
  seed: number;
}

const DEFAULTS: InUseBenchArgs = { clusters: 20, services: 300, tasks: 2000, families: 500, functions: 1000, jobs: 100, apprunner: 20, repositories: 200, images: 30, latencyMs: 20, rate: 0, seed: 42 };
const NOW = '2026-06-01T00:00:00.000Z';
const BENCH_KEY = 'AKIDBENCHINUSE';

const OPERATIONS = [
  'ecs:ListClusters',
  'ecs:ListTasks',
  'ecs:DescribeTasks',
  'ecs:ListServices',
  'ecs:DescribeServices',
  'ecs:DescribeServiceRevisions',
  'ecs:ListTaskDefinitionFamilies',
  'ecs:ListTaskDefinitions',
  'ecs:DescribeTaskDefinition',
  'lambda:ListFunctions',
  'lambda:ListAliases',
  'lambda:ListVersionsByFunction',
  'lambda:GetFunction',
  'batch:DescribeJobDefinitions',
  'apprunner:ListServices',
  'apprunner:DescribeService',
];
const LAMBDA_CONTROL = ['lambda:ListFunctions', 'lambda:ListAliases', 'lambda:ListVersionsByFunction'];

const USAGE = `usage: npm run bench:in-use -- [options]   (each option as --name=value or --name value)
  --clusters N        ECS clusters (default ${DEFAULTS.clusters})
  --services N        ECS services over the clusters (default ${DEFAULTS.services})
  --tasks N           ECS tasks, about 1 in 10 STOPPED (default ${DEFAULTS.tasks})
  --families N        task definition families, 1-10 revisions each (default ${DEFAULTS.families})
  --functions N       Lambda functions, about 1 in 7 Zip (default ${DEFAULTS.functions})
  --jobs N            Batch job definitions (default ${DEFAULTS.jobs})
  --apprunner N       App Runner services (default ${DEFAULTS.apprunner})
  --repositories N    repositories of the registry they reference (default ${DEFAULTS.repositories})
  --images N          top-level images per repository (default ${DEFAULTS.images})
  --latency-ms N      delay the emulator adds to every answer (default ${DEFAULTS.latencyMs})
  --rate N            emulator rate limit per in-use operation, requests/s (default 0 = none)
  --seed N            generator seed (default ${DEFAULTS.seed})
  -h, --help          print this`;

/** Reads the command line; 'help' for --help; BenchUsageError (exit 2) for a mistake. */
function parseInUseBenchArgs(argv: string[]): InUseBenchArgs | 'help' {
  const values = parseBenchArgs(argv, {
    clusters: { type: 'string' },
    services: { type: 'string' },
    tasks: { type: 'string' },
    families: { type: 'string' },
    functions: { type: 'string' },
    jobs: { type: 'string' },
    apprunner: { type: 'string' },
    repositories: { type: 'string' },
    images: { type: 'string' },
    'latency-ms': { type: 'string' },
    rate: { type: 'string' },
    seed: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return 'help';
  const count = (flag: keyof InUseBenchArgs, value: string | undefined, min: number): number => (value === undefined ? DEFAULTS[flag] : wholeNumber(`--${flag}`, value, min));
  const args: InUseBenchArgs = {
    clusters: count('clusters', values.clusters, 0),
    services: count('services', values.services, 0),
    tasks: count('tasks', values.tasks, 0),
    families: count('families', values.families, 0),
    functions: count('functions', values.functions, 0),
    jobs: count('jobs', values.jobs, 0),
    apprunner: count('apprunner', values.apprunner, 0),
    repositories: count('repositories', values.repositories, 1),
    images: count('images', values.images, 1),
    latencyMs: values['latency-ms'] === undefined ? DEFAULTS.latencyMs : numberAtLeast('--latency-ms', values['latency-ms'], 0),
    rate: values.rate === undefined ? DEFAULTS.rate : numberAtLeast('--rate', values.rate, 0),
    seed: count('seed', values.seed, 0),
  };
  // The generator's own rule, checked here so the mistake is a usage message, not a stack trace.
  if (args.services + args.tasks > 0 && (args.clusters === 0 || args.families === 0)) {
    throw new BenchUsageError('ECS services and tasks need --clusters and --families of at least 1');
  }
  return args;
}

/** The emulator's generator options for `args` (registry and consumers, one seed). */
function generatorOptionsFor(args: InUseBenchArgs): GeneratorOptions {
  return {
    seed: args.seed,
    repositories: args.repositories,
    imagesPerRepository: args.images,
    consumers: {
      clusters: args.clusters,
      services: args.services,
      tasks: args.tasks,
      families: args.families,
      functions: args.functions,
      jobDefinitions: args.jobs,
      appRunnerServices: args.apprunner,
    },
  };
}

/**
 * The account the emulator will serve for `generate`: the same registry generated here, then the
 * same consumer generator over the same images (what `startEmulator` does), so the bound is the
 * account's, not the readers' view of it.
 */
async function accountOf(generate: GeneratorOptions): Promise<AccountSections> {
  const { consumers, ...registryOnly } = generate;
  const registry = await startEmulator({ port: 0, generate: registryOnly, now: NOW });
  try {
    const source: ImageSource = {
      repositories: registry.repositories().map((r) => r.repositoryName),
      imagesOf: (name) => {
        const images = registry.images(name);
        const children = new Set(images.flatMap((i) => i.childDigests ?? []));
        return images
          .filter((i) => i.imageStatus === 'ACTIVE' && i.subjectManifestDigest === undefined && !children.has(i.imageDigest))
          .map((i) => ({ digest: i.imageDigest, tags: i.imageTags }));
      },
    };
    return generateConsumers(consumers ?? {}, source, generate.seed ?? 1);
  } finally {
    await registry.stop();
  }
}

function pad(value: string | number, width: number): string {
  return String(value).padStart(width);
}

async function main(args: InUseBenchArgs): Promise<void> {
  const generate = generatorOptionsFor(args);
  const account = await accountOf(generate);
  const settings = { taskDefinitionRevisions: DEFAULT_TASK_DEFINITION_REVISIONS, lambdaVersions: DEFAULT_LAMBDA_VERSIONS };
  const { bound, size } = inUseLowerBound(account, settings);
  console.log(
    `account: ECS ${size.clusters} clusters, ${size.services} services (${size.serviceRevisions} current revisions), ${size.tasks} tasks (${size.stoppedTasks} STOPPED), ` +
      `${size.activeFamilies} ACTIVE families (${size.taskDefinitions} task definitions); Lambda ${size.functions} functions (${size.imageFunctions} image, ` +
      `${size.versions} published versions, ${size.aliases} aliases); Batch ${size.jobDefinitions} ACTIVE job definitions; App Runner ${size.appRunnerServices} services`,
  );
  console.log(`registry: ${args.repositories} repositories, ${args.images} images each (generator seed ${args.seed}); settings: ${settings.taskDefinitionRevisions} rollback revisions per family, ${settings.lambdaVersions} newest Lambda versions`);
  const rateLimits: Record<string, { rate: number; burst: number }> = {};
  if (args.rate > 0) for (const op of OPERATIONS) rateLimits[op] = { rate: args.rate, burst: Math.max(1, Math.round(args.rate)) };
  console.log(
    args.rate > 0
      ? `pacing: the emulator rate-limits every in-use operation to ${args.rate} req/s (burst ${Math.max(1, Math.round(args.rate))}), +${args.latencyMs} ms latency per request; the Lambda reader also paces itself`
      : `pacing: the emulator does not rate-limit (+${args.latencyMs} ms latency per request); the Lambda reader paces itself at ${LAMBDA_DEFAULT_RATES.controlPerSecond}/s (control plane) and ${LAMBDA_DEFAULT_RATES.getFunctionPerSecond}/s (GetFunction), Lambda's quotas less a fifth`,
  );

  const target = await spawnEmulator({ now: NOW, generate, latencyMs: args.latencyMs, rateLimits, seed: args.seed });
  const clients = createAwsClients({ endpoint: target.url, region: 'us-east-1', env: {}, credentials: { accessKeyId: BENCH_KEY, secretAccessKey: 'bench' } });
  try {
    // As the drivers build them: the default settings, with Batch and App Runner turned on.
    const readers = createInUseReaders({ ...DEFAULT_IN_USE_SETTINGS, batch: true, apprunner: true }, clients, { baseDir: process.cwd() });
    const now = Date.parse(NOW);
    const started = performance.now();
    const scans = await Promise.all(
      readers.map(async (reader) => {
        const t0 = performance.now();
        const scan: InUseScan = await reader.scan({ now });
        return { reader, scan, ms: performance.now() - t0 };
      }),
    );
    const wallMs = performance.now() - started;
    const calls: Record<string, number> = Object.assign({}, ...scans.map((s) => s.scan.calls));
    const server = (await (await fetch(`${target.url}/_emulator/stats`)).json()) as { requests: Record<string, number>; throttled: Record<string, number> };

    console.log(`\n${'operation'.padEnd(32)}${pad('calls', 8)}${pad('bound', 8)}${pad('ratio', 8)}${pad('throttled', 11)}`);
    let totalCalls = 0;
    let totalBound = 0;
    for (const op of OPERATIONS) {
      const made = calls[op] ?? 0;
      const lb = bound[op] ?? 0;
      totalCalls += made;
      totalBound += lb;
      console.log(`${op.padEnd(32)}${pad(made, 8)}${pad(lb, 8)}${pad(ratio(made, lb), 8)}${pad(server.throttled[op] ?? 0, 11)}`);
    }
    const throttled = Object.values(server.throttled).reduce((a, b) => a + b, 0);
    console.log(`${'total'.padEnd(32)}${pad(totalCalls, 8)}${pad(totalBound, 8)}${pad(ratio(totalCalls, totalBound), 8)}${pad(throttled, 11)}`);
    const served = OPERATIONS.reduce((n, op) => n + (server.requests[op] ?? 0), 0);
    console.log(`the emulator served ${served} in-use requests; the readers counted ${totalCalls}`);

    console.log(`\n${'source'.padEnd(32)}${pad('usages', 8)}${pad('consumers', 11)}${pad('wall s', 9)}`);
    for (const { reader, scan, ms } of scans) {
      const consumers = new Set(scan.usages.map((u) => u.consumer)).size;
      console.log(`${reader.label.padEnd(32)}${pad(scan.usages.length, 8)}${pad(consumers, 11)}${pad((ms / 1000).toFixed(1), 9)}`);
      for (const note of scan.notes ?? []) console.log(`  note: ${note}`);
    }
    const lambdaControl = LAMBDA_CONTROL.reduce((n, op) => n + (bound[op] ?? 0), 0);
    const paced: { calls: number; perSecond: number; burst: number }[] = [
      { calls: lambdaControl, perSecond: LAMBDA_DEFAULT_RATES.controlPerSecond, burst: 1 },
      { calls: bound['lambda:GetFunction'] ?? 0, perSecond: LAMBDA_DEFAULT_RATES.getFunctionPerSecond, burst: 1 },
    ];
    if (args.rate > 0) for (const op of OPERATIONS) paced.push({ calls: bound[op] ?? 0, perSecond: args.rate, burst: Math.max(1, Math.round(args.rate)) });
    const boundMs = pacingBoundMs(paced);
    console.log(
      `\nscan wall time: ${(wallMs / 1000).toFixed(1)} s (all sources at once, as a run scans them); pacing bound ${(boundMs / 1000).toFixed(1)} s ` +
        `(the bound's ${lambdaControl} Lambda control-plane calls at ${LAMBDA_DEFAULT_RATES.controlPerSecond}/s${args.rate > 0 ? `, every operation at ${args.rate}/s` : ''}); ratio ${boundMs > 0 ? (wallMs / boundMs).toFixed(2) : '-'}x`,
    );
  } finally {
    clients.destroy();
    target.child.kill('SIGTERM');
  }
}

function ratio(calls: number, bound: number): string {
  if (bound === 0) return calls === 0 ? '-' : 'inf';
  return `${(calls / bound).toFixed(2)}x`;
}

runBench('bench:in-use', USAGE, parseInUseBenchArgs, main).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
