/**
 * Fault benchmark (`npm run bench:faults [-- --repositories N --images MIN-MAX --seed N --only NAME]`):
 * the black-box fault audit of the README's reliability section, rerunnable. A generated registry
 * is served by the emulator in a child process; for each scenario a fresh, identical registry is
 * swept by the real CLI (`bin/ecr-sweeper.js apply --yes`, a child process) under one kind of
 * fault, run after run with one checkpoint until a run exits cleanly (or a run limit). Then the
 * registry is compared with the undisturbed run's:
 *
 * - planned: deletions the undisturbed run planned;
 * - deleted: images gone from the registry;
 * - wrongly deleted: gone, but not gone after the undisturbed run (must be 0);
 * - left undone: gone after the undisturbed run, still here;
 * - recorded: deletions that appear in the runs' result files and journals as made by that run
 *   (not "already gone"): what an auditor can find afterwards; must equal deleted;
 * - calls: ECR requests the emulator received, all runs together, retries included.
 *
 * Nobody else touches the registry during a scenario, so the final registry must equal the
 * undisturbed run's. Prints one table; exit 1 if any scenario deleted wrongly.
 */
// First: quiets the SDK's Node 20 notice before anything loads the SDK.
import '../lib/sdk-node-notice.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ECRClient, paginateDescribeImages, paginateDescribeRepositories } from '@aws-sdk/client-ecr';
import type { GeneratorOptions } from '../emulator/index.js';
import { spawnEmulator } from './support/spawn-emulator.js';

const SWEEPER_KEY = 'AKIDFAULTSWEEPER';
const OBSERVER_KEY = 'AKIDFAULTOBSERVER';
const REPO_ROOT = path.resolve(import.meta.dirname, '..');
const RULES = path.join(REPO_ROOT, 'bench', 'fixtures', 'fault-rules.yml');
const USAGE = `usage: npm run bench:faults -- [--repositories N] [--images MIN-MAX] [--seed N] [--only NAME] [--max-runs N]
  --repositories N   generated repositories (default 21)
  --images MIN-MAX   top-level entries per repository (default 110-170: about 4,000 manifests)
  --seed N           generator seed (default 7)
  --only NAME        run the undisturbed scenario and the one whose name contains NAME
  --max-runs N       runs per scenario before giving up (default 40)`;

interface Args {
  repositories: number;
  images: [number, number];
  seed: number;
  only?: string;
  maxRuns: number;
}

interface Scenario {
  name: string;
  faults?: Record<string, unknown>;
  env?: Record<string, string>;
  extraArgs?: string[];
  /** SIGKILL the first run once this many BatchDeleteImage requests reached the emulator. */
  killAfterDeleteCalls?: number;
  /** SIGINT the first run once this many BatchDeleteImage requests reached the emulator. */
  interruptAfterDeleteCalls?: number;
}

interface Outcome {
  scenario: string;
  runs: number;
  exitCodes: number[];
  planned: number;
  deleted: number;
  wronglyDeleted: number;
  leftUndone: number;
  recorded: number;
  calls: number;
  callsByOperation: Record<string, number>;
  seconds: number;
  /** Manifests in the registry before the scenario. */
  manifests: number;
}

function parse(argv: string[]): Args {
  const { values } = parseArgs({
    args: argv,
    options: {
      repositories: { type: 'string' },
      images: { type: 'string' },
      seed: { type: 'string' },
      only: { type: 'string' },
      'max-runs': { type: 'string' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const int = (name: string, raw: string | undefined, fallback: number): number => {
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} needs a positive integer, got ${raw}`);
    return n;
  };
  let images: [number, number] = [110, 170];
  if (values.images !== undefined) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(values.images);
    if (!m) throw new UsageError(`--images needs N or MIN-MAX, got ${values.images}`);
    images = [Number(m[1]), Number(m[2] ?? m[1])];
  }
  const args: Args = {
    repositories: int('repositories', values.repositories, 21),
    images,
    seed: int('seed', values.seed, 7),
    maxRuns: int('max-runs', values['max-runs'], 40),
  };
  if (values.only !== undefined) args.only = values.only;
  return args;
}

class UsageError extends Error {
  override name = 'UsageError';
}

const SCENARIOS: Scenario[] = [
  { name: 'undisturbed' },
  { name: '50% throttling', faults: { throttleProbability: 0.5 } },
  { name: '5% server errors', faults: { serverErrorProbability: 0.05 } },
  { name: '50% throttling + 5% server errors', faults: { throttleProbability: 0.5, serverErrorProbability: 0.05 } },
  {
    name: 'lost delete responses (1.5 s answers, 1 s timeout)',
    faults: { latencyMs: { BatchDeleteImage: 1500 } },
    env: { ECR_SWEEPER_HTTP_REQUEST_TIMEOUT_MS: '1000' },
  },
  { name: 'kill -9 mid-run, then resume', faults: { latencyMs: 30 }, killAfterDeleteCalls: 8 },
  { name: 'Ctrl-C mid-run, then resume', faults: { latencyMs: 30 }, interruptAfterDeleteCalls: 8 },
  { name: 'deadline shorter than the listing (300 ms answers, 1 s runs)', faults: { latencyMs: 300 }, extraArgs: ['--max-duration', '1s'] },
];

async function main(): Promise<void> {
  let args: Args;
  try {
    args = parse(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
    process.exit(2);
  }
  const generate: GeneratorOptions = {
    seed: args.seed,
    repositories: args.repositories,
    imagesPerRepository: args.images,
    maxAgeDays: 200,
  };
  const scenarios = SCENARIOS.filter((s, i) => i === 0 || args.only === undefined || s.name.includes(args.only));
  const outcomes: Outcome[] = [];
  let baseline: Set<string> | undefined;
  let planned = 0;
  for (const scenario of scenarios) {
    process.stderr.write(`${scenario.name}...\n`);
    const outcome = await runScenario(scenario, generate, args, baseline, planned);
    if (!baseline) {
      baseline = outcome.remaining;
      planned = outcome.outcome.deleted;
      outcome.outcome.planned = planned;
      outcome.outcome.leftUndone = 0;
    }
    outcomes.push(outcome.outcome);
  }
  printTable(outcomes, args);
  if (outcomes.some((o) => o.wronglyDeleted > 0 || o.recorded !== o.deleted)) process.exitCode = 1;
}

async function runScenario(
  scenario: Scenario,
  generate: GeneratorOptions,
  args: Args,
  baseline: Set<string> | undefined,
  planned: number,
): Promise<{ outcome: Outcome; remaining: Set<string> }> {
  const { url, child } = await startEmulator(generate);
  const dir = await mkdtemp(path.join(tmpdir(), 'ecr-sweeper-faults-'));
  try {
    const before = await snapshot(url);
    await post(url, '/_emulator/stats/reset', {});
    if (scenario.faults) await post(url, '/_emulator/faults', scenario.faults);
    const started = performance.now();
    const exitCodes: number[] = [];
    const checkpoint = path.join(dir, 'checkpoint.json');
    for (let run = 1; run <= args.maxRuns; run++) {
      const out = path.join(dir, `run-${String(run).padStart(2, '0')}`);
      const kill = run === 1 ? scenario.killAfterDeleteCalls : undefined;
      const interrupt = run === 1 ? scenario.interruptAfterDeleteCalls : undefined;
      const code = await runCli(url, out, checkpoint, scenario, kill, interrupt);
      exitCodes.push(code);
      // 0: finished clean. 1 with nothing left is a failure report, not a reason to run again.
      if (code === 0) break;
      if (code !== 1 && code !== 130 && code !== 143 && code !== -9) break;
      if (code === 1 && !(await hasWorkLeft(out))) break;
    }
    const seconds = (performance.now() - started) / 1000;
    await post(url, '/_emulator/faults', { throttleProbability: null, serverErrorProbability: null, latencyMs: null });
    const stats = (await (await fetch(`${url}/_emulator/stats`)).json()) as { requests: Record<string, number> };
    const after = await snapshot(url);
    const gone = [...before].filter((d) => !after.has(d));
    const expectedGone = baseline ? new Set([...before].filter((d) => !baseline.has(d))) : new Set(gone);
    const recorded = await recordedDeletions(dir);
    const outcome: Outcome = {
      scenario: scenario.name,
      runs: exitCodes.length,
      exitCodes,
      planned,
      deleted: gone.length,
      wronglyDeleted: gone.filter((d) => !expectedGone.has(d)).length,
      leftUndone: [...expectedGone].filter((d) => after.has(d)).length,
      recorded: [...recorded].filter((d) => before.has(d)).length,
      calls: Object.values(stats.requests).reduce((n, v) => n + v, 0),
      callsByOperation: stats.requests,
      seconds,
      manifests: before.size,
    };
    return { outcome, remaining: after };
  } finally {
    child.kill('SIGTERM');
    await rm(dir, { recursive: true, force: true });
  }
}

/** Runs the CLI once; resolves its exit code (-9 when this benchmark killed it). */
async function runCli(
  url: string,
  out: string,
  checkpoint: string,
  scenario: Scenario,
  killAfter: number | undefined,
  interruptAfter: number | undefined,
): Promise<number> {
  const argv = [
    path.join(REPO_ROOT, 'bin', 'ecr-sweeper.js'),
    'apply',
    '--rules', RULES,
    '--yes',
    '--format', 'json',
    '--endpoint-url', url,
    '--region', 'us-east-1',
    '--out', out,
    '--checkpoint', checkpoint,
    ...(scenario.extraArgs ?? []),
  ];
  const cli = spawn(process.execPath, argv, {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? tmpdir(),
      XDG_CACHE_HOME: path.join(path.dirname(checkpoint), 'cache'),
      AWS_ACCESS_KEY_ID: SWEEPER_KEY,
      AWS_SECRET_ACCESS_KEY: 'bench',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      ...scenario.env,
    },
  });
  let stderr = '';
  cli.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  let signalled = false;
  let watcher: NodeJS.Timeout | undefined;
  const threshold = killAfter ?? interruptAfter;
  if (threshold !== undefined) {
    watcher = setInterval(() => {
      void (async () => {
        const s = (await (await fetch(`${url}/_emulator/stats`)).json()) as { requests: Record<string, number> };
        if (!signalled && (s.requests.BatchDeleteImage ?? 0) >= threshold) {
          signalled = true;
          cli.kill(killAfter !== undefined ? 'SIGKILL' : 'SIGINT');
        }
      })().catch(() => undefined);
    }, 25);
  }
  const code = await new Promise<number>((resolve) => {
    cli.once('exit', (c, signal) => resolve(signal === 'SIGKILL' ? -9 : signal ? 128 : (c ?? 1)));
  });
  if (watcher) clearInterval(watcher);
  await writeFile(path.join(path.dirname(checkpoint), `${path.basename(out)}.stderr.txt`), stderr);
  return code;
}

/** True when the run's result says repositories were left for the next run. */
async function hasWorkLeft(out: string): Promise<boolean> {
  try {
    const result = JSON.parse(await readFile(path.join(out, 'result.json'), 'utf8')) as { remainingRepositories?: string[]; stoppedByDeadline?: boolean };
    return (result.remainingRepositories?.length ?? 0) > 0 || result.stoppedByDeadline === true;
  } catch {
    // No result at all (killed, or stopped before writing): run again.
    return true;
  }
}

/**
 * Digests with a `deleted` outcome in any result file or journal the runs left (`*.json` and
 * `*.jsonl` under the scenario's folder): what an auditor can find afterwards.
 */
async function recordedDeletions(dir: string): Promise<Set<string>> {
  const found = new Set<string>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const v of value) visit(v);
      return;
    }
    if (value && typeof value === 'object') {
      const o = value as Record<string, unknown>;
      const outcome = (o.outcome ?? o) as { status?: string; alreadyGone?: boolean };
      // "Already gone" is not a deletion of this run: it must have been recorded by the run that made it.
      if (typeof o.imageDigest === 'string' && outcome.status === 'deleted' && outcome.alreadyGone !== true) found.add(o.imageDigest);
      for (const v of Object.values(o)) visit(v);
    }
  };
  for (const entry of await readdir(dir, { recursive: true })) {
    const file = path.join(dir, entry);
    if (entry.endsWith('.json') && !entry.endsWith('plan.json') && !entry.endsWith('checkpoint.json')) {
      try {
        visit(JSON.parse(await readFile(file, 'utf8')));
      } catch {
        // A file cut short by a kill: its lines are in the journal.
      }
    } else if (entry.endsWith('.jsonl')) {
      for (const line of (await readFile(file, 'utf8')).split('\n')) {
        if (!line.trim()) continue;
        try {
          visit(JSON.parse(line));
        } catch {
          // The last line of a killed run may be cut short.
        }
      }
    }
  }
  return found;
}

/** Every digest in the registry, read by a principal other than the sweeper's. */
async function snapshot(url: string): Promise<Set<string>> {
  const ecr = new ECRClient({ endpoint: url, region: 'us-east-1', credentials: { accessKeyId: OBSERVER_KEY, secretAccessKey: 'x' }, maxAttempts: 10 });
  const digests = new Set<string>();
  for await (const page of paginateDescribeRepositories({ client: ecr }, {})) {
    for (const repo of page.repositories ?? []) {
      for await (const images of paginateDescribeImages({ client: ecr, pageSize: 1000 }, { repositoryName: repo.repositoryName!, filter: { imageStatus: 'ANY' } as never })) {
        for (const image of images.imageDetails ?? []) if (image.imageDigest) digests.add(image.imageDigest);
      }
    }
  }
  ecr.destroy();
  return digests;
}

function startEmulator(generate: GeneratorOptions): Promise<{ url: string; child: ChildProcess }> {
  return spawnEmulator({ generate, pullTimeUpdateExclusions: [SWEEPER_KEY], seed: 1 });
}

async function post(url: string, route: string, body: unknown): Promise<void> {
  const response = await fetch(`${url}${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`${route}: HTTP ${response.status} ${await response.text()}`);
}

function printTable(outcomes: Outcome[], args: Args): void {
  const header = ['scenario', 'runs', 'planned', 'deleted', 'wrongly deleted', 'left undone', 'recorded', 'calls', 'wall s'];
  const rows = outcomes.map((o) => [
    o.scenario,
    String(o.runs),
    String(o.planned),
    String(o.deleted),
    String(o.wronglyDeleted),
    String(o.leftUndone),
    String(o.recorded),
    String(o.calls),
    o.seconds.toFixed(1),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  process.stdout.write(
    `Fault benchmark: ${args.repositories} repositories, ${args.images[0]}-${args.images[1]} entries each (${outcomes[0]?.manifests ?? 0} manifests), seed ${args.seed}; rules ${path.relative(REPO_ROOT, RULES)}\n\n`,
  );
  process.stdout.write(`${line(header)}\n| ${widths.map((w, i) => (i === 0 ? '-'.repeat(w) : `${'-'.repeat(w - 1)}:`)).join(' | ')} |\n`);
  for (const row of rows) process.stdout.write(`${line(row)}\n`);
  process.stdout.write('\nexit codes per run:\n');
  for (const o of outcomes) process.stdout.write(`  ${o.scenario}: ${o.exitCodes.join(' ')}\n`);
  process.stdout.write('\ncalls per operation:\n');
  for (const o of outcomes) {
    const ops = Object.entries(o.callsByOperation)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([op, n]) => `${op} ${n}`)
      .join(', ');
    process.stdout.write(`  ${o.scenario}: ${ops}\n`);
  }
}

await main();
