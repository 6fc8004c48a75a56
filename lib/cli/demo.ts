/**
 * The embedded default (`npm start`): what a newcomer sees with no AWS account. Starts the ECR
 * emulator on an ephemeral loopback port with a generated sample registry, runs
 * `ecr-sweeper plan --rules rules/default.yml --out reports` against it twice through the same code
 * as the CLI (the second a week later, so the report has a trend and a diff), and stops. The seed and the clock are fixed, so the output is the same on every machine.
 * The emulator also serves ECS and Lambda consumers, and a Kubernetes in-use file is written, so
 * the plans show in-use protection (lib/cli/demo-consumers.ts).
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseDocument } from 'yaml';
import { startEmulator, type GeneratorOptions } from '../../emulator/index.js';
import type { Plan } from '../core/plan-model.js';
import { DEMO_CLUSTER, demoConsumers, type DemoConsumers } from './demo-consumers.js';
import type { CliIo } from './io.js';
import { nodeCliIo } from './io.js';
import { runCli } from './main.js';

/**
 * The sample registry: a few dozen repositories, a few thousand manifests of every kind, with tags
 * for every rule of rules/default.yml to act on (pull-request, feature-branch and main builds,
 * releases and release candidates, untagged images), some repositories busy enough for the
 * keep-N rules to expire something.
 */
export const DEMO_REGISTRY = {
  seed: 20261127,
  repositories: 36,
  imagesPerRepository: [30, 140],
  untaggedShare: 0.3,
  multiArchShare: 0.15,
  referrerShare: 0.1,
  pulledShare: 0.6,
  maxAgeDays: 400,
  tagMix: { release: 2, main: 5, pr: 2, feature: 2, releaseCandidate: 2 },
} as const satisfies GeneratorOptions;

/** The `--generate` value that makes `npm run emulator` serve the demo's registry (the other fields are its defaults). */
export function demoGenerateSpec(): string {
  const { repositories, imagesPerRepository: [min, max], seed, tagMix } = DEMO_REGISTRY;
  const mix = `release=${tagMix.release},main=${tagMix.main},pr=${tagMix.pr},feature=${tagMix.feature},rc=${tagMix.releaseCandidate}`;
  return `repos=${repositories},images=${min}-${max},seed=${seed},${mix}`;
}

/** The emulator's frozen clock and the plan's `now`: ages in the output never drift. */
export const DEMO_NOW = '2026-11-27T12:00:00.000Z';

/**
 * The second run's clock, a week later: more images are past their rules' ages, so the report of
 * the second run has a trend of two runs and decisions that changed since the first.
 */
export const DEMO_LATER = '2026-12-04T12:00:00.000Z';

const REPO_ROOT = resolve(import.meta.dirname, '..', '..');

/** Where the demo reads its rules, writes its reports and prints (tests redirect all three). */
export interface DemoOptions {
  io?: CliIo;
  /** Rules to plan with; default `rules/default.yml` of this checkout. */
  rulesPath?: string;
  /** Where the reports go; default `reports/` of this checkout. */
  reportsDir?: string;
}

const DEMO_ACCESS_KEY_ID = 'AKIDECRSWEEPERDEMO';

/**
 * Runs the demo and returns the CLI's exit code. The emulator is stopped whatever happens.
 *
 * @example process.exitCode = await runDemo();
 */
export async function runDemo(options: DemoOptions = {}): Promise<number> {
  const io = options.io ?? nodeCliIo();
  const rulesPath = options.rulesPath ?? resolve(REPO_ROOT, 'rules', 'default.yml');
  const reportsDir = options.reportsDir ?? resolve(REPO_ROOT, 'reports');

  // The demo's key is a pull-time update exclusion, as the docs advise for the tool's principal.
  const emulator = await startEmulator({ port: 0, generate: DEMO_REGISTRY, now: DEMO_NOW, seed: 1, pullTimeUpdateExclusions: [DEMO_ACCESS_KEY_ID] });
  try {
    const repositories = emulator.repositories();
    const manifests = repositories.reduce((n, r) => n + r.imageCount, 0);
    // What runs on the registry: ECS and Lambda served by the same emulator, Kubernetes through an in-use file.
    const consumers = demoConsumers(emulator, Date.parse(DEMO_NOW));
    emulator.loadState(consumers.state);
    const inputs = await writeDemoInputs(rulesPath, join(reportsDir, 'demo-inputs'), consumers);
    io.stdout.write(
      // No URL or port here: the port is ephemeral and the output is meant to be the same every run.
      'ecr-sweeper demo: a local ECR emulator (127.0.0.1, no AWS account needed) holds a generated sample registry ' +
        `(${repositories.length} repositories, ${manifests} manifests: releases, release candidates, main, feature-branch and PR builds, ` +
        `multi-arch indexes and their children, signatures and SBOMs, untagged, old and new; clock frozen at ${DEMO_NOW}).\n` +
        'Some of its images are in use: the emulator also serves ECS (an ECS service, a task kept for rollback) and Lambda (a function with an alias), ' +
        `and a Kubernetes cluster, ${DEMO_CLUSTER}, lists what it runs in an in-use file. Whatever the rules say, those images are kept.\n` +
        `Planning it with ${displayPath(rulesPath)}, plus an inUse.files block naming that file (${displayPath(inputs.rules)}; dry run: nothing is deleted):\n\n`,
    );
    // The demo's own history: each `npm start` shows the same two runs, not every run ever made.
    await rm(join(reportsDir, 'history'), { recursive: true, force: true });
    const plan = async (now: string) => {
      // The exporter writes its file every few minutes. Its age is judged by the real clock, not by
      // the plan's frozen --now (a past evaluation time must not make a stale file look fresh).
      await writeFile(inputs.inUseFile, consumers.inUseFile(Date.now()));
      return runCli(
        // A fresh registry on a fresh port each time: nothing worth remembering in an index store.
        ['plan', '--rules', inputs.rules, '--endpoint-url', emulator.url, '--region', 'us-east-1', '--now', now, '--out', reportsDir, '--no-index-store'],
        io,
        // Dummy keys: the demo never signs with a user's real credentials, even to a local server.
        { ecrClientExtra: { credentials: { accessKeyId: DEMO_ACCESS_KEY_ID, secretAccessKey: 'demo' } } },
      );
    };
    io.stdout.write(`First run, at ${DEMO_NOW}:\n\n`);
    let code = await plan(DEMO_NOW);
    if (code === 0) io.stdout.write(await inUseHighlights(join(reportsDir, 'plan.json')));
    if (code === 0) {
      emulator.setNow(DEMO_LATER);
      io.stdout.write(
        `\nSecond run, a week later (${DEMO_LATER}), into the same report directory: its report adds the trend of both runs and what changed since the first.\n\n`,
      );
      code = await plan(DEMO_LATER);
    }
    if (code === 0) {
      io.stdout.write(
        [
          '',
          'Next:',
          '  - open the report above in a browser (self-contained HTML: totals, money, changes since the first run, trend, per-rule totals, what is in use and who uses it, every image with its reason);',
          `  - serve the same registry: npm run emulator -- --generate ${demoGenerateSpec()} --now ${DEMO_NOW} --port 4510`,
          '    then, in another terminal: AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x npx ecr-sweeper plan --rules rules/default.yml \\',
          `      --endpoint-url http://127.0.0.1:4510 --region us-east-1 --now ${DEMO_NOW} --format csv`,
          '  - npx ecr-sweeper --help for every command (plan, apply, restore, validate, import-policy, export-policy).',
          '',
        ].join('\n'),
      );
    }
    return code;
  } finally {
    await emulator.stop();
  }
}

/** Where the demo's rules and in-use file are written. */
interface DemoInputs {
  rules: string;
  inUseFile: string;
}

/**
 * Writes the rules the demo plans with, `rulesPath` with an `inUse.files` block that names the
 * Kubernetes cluster's in-use file (comments and everything else kept), next to that file's folder.
 */
async function writeDemoInputs(rulesPath: string, dir: string, consumers: DemoConsumers): Promise<DemoInputs> {
  await mkdir(join(dir, 'in-use'), { recursive: true });
  const doc = parseDocument(await readFile(rulesPath, 'utf8'));
  doc.setIn(['inUse', 'files'], doc.createNode({ locations: ['in-use'], expect: [consumers.cluster] }, { flow: true }));
  const rules = join(dir, 'rules.yml');
  await writeFile(rules, `# Written by npm start: ${displayPath(rulesPath)} with the demo's in-use file.\n${doc.toString()}`);
  return { rules, inUseFile: join(dir, 'in-use', `${consumers.cluster}.json`) };
}

/**
 * The in-use images of the plan that a rule would have deleted, with their reasons: what the
 * table's "Kept in use" column counts, shown one by one.
 */
async function inUseHighlights(planPath: string): Promise<string> {
  const plan = JSON.parse(await readFile(planPath, 'utf8')) as Plan;
  const lines: string[] = [];
  for (const repository of plan.repositories) {
    for (const image of repository.images) {
      if ((image.usages ?? []).length === 0 || !image.reason.includes('would delete it')) continue;
      const what = image.imageTags.length > 0 ? image.imageTags.join(', ') : `${image.imageDigest.slice(0, 19)}… (untagged)`;
      lines.push(`  ${repository.repositoryName} ${what}: ${image.reason}`);
    }
  }
  if (lines.length === 0) return '';
  return `\nIn use, so kept although a rule would delete them:\n${lines.join('\n')}\n`;
}

function displayPath(path: string): string {
  return path.startsWith(`${REPO_ROOT}/`) ? path.slice(REPO_ROOT.length + 1) : path;
}

// Run when executed (`npm start` = `tsx lib/cli/demo.ts`), not when imported by a test.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  // As in bin/ecr-sweeper.js: the SDK's Node 22 notice is for developers, not for the demo's reader.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  process.exitCode = await runDemo();
}
