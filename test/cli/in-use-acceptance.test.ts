/**
 * Issue 9's "Done when", end to end: the real CLI (`plan`, then `apply --yes`), a child process,
 * against the emulator serving the registry and its consumers on one endpoint. ECS (a service, a
 * running task with an imageDigest, task definition revisions), Lambda (an alias, `$LATEST`) and a
 * Kubernetes in-use file reference images by tag, by digest and by index digest; the rule deletes
 * every image older than a day, so what is kept is exactly what is in use (and the children of
 * the index), compared as sets of digests, with the consumers named in the plan JSON and the
 * reasons. Then a source that cannot be read (access denied on ecs:ListClusters): nothing is
 * deleted, exit 3, and the output says which source failed and why.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type ImageSnapshot, type RunningEmulator, type StateFile } from '../../emulator/index.js';
import type { Plan } from '../../lib/core/plan-model.js';
import { cliEnv, runCliProcess, useTempDir, writeText } from './cli-harness.js';

const HOST = '123456789012.dkr.ecr.us-east-1.amazonaws.com';
const TASK_ID = '0f3a9c2e5b7d4e1f8a6c3b2d1e0f9a8b';

/** Every image is over a day old, so `old` deletes whatever in-use protection does not keep. */
const RULES = `version: 1
defaults:
  mode: dry-run
  minAge: 1d
inUse:
  ecs: true
  lambda: { versions: 1 }
  files:
    locations: [in-use]
    maxAge: 24h
    expect: [prod-eks]
policies:
  - name: all
    repositories: { include: ["**"] }
    rules:
      - id: old
        select: { tagStatus: any }
        when: { sinceImagePushed: 1d }
`;

/** The registry; the letters are how the test names each image (distinct push ages). */
function registry(now: string): StateFile {
  return {
    now,
    repositories: [
      {
        name: 'team/api',
        images: [
          { tags: ['v1'], pushedAt: '-30d' }, // A: the service's task definition api:3, by tag
          { pushedAt: '-20d' }, // B: the running task's imageDigest (its tag v2 moved on)
          { tags: ['v2'], pushedAt: '-10d' }, // C: the task's image as written, task definition api:4
          { pushedAt: '-25d' }, // F: task definition api:2 (a rollback target), by digest
          { pushedAt: '-40d' }, // D: nothing
          { tags: ['v0'], pushedAt: '-50d' }, // E: only an INACTIVE revision names it
        ],
      },
      {
        name: 'team/fn',
        images: [
          { tags: ['v5'], pushedAt: '-5d' }, // G: $LATEST (and version 3, the newest), by tag
          { pushedAt: '-15d' }, // H: version 1, alias live, by digest
          { tags: ['v4'], pushedAt: '-8d' }, // I: version 2: no alias, not the newest
        ],
      },
      {
        name: 'team/web',
        images: [
          { tags: ['release'], pushedAt: '-12d', children: [{}, {}] }, // J: the cluster runs the index, by digest
          { tags: ['stable'], pushedAt: '-9d' }, // K: the cluster runs it by tag
          { tags: ['pr-3'], pushedAt: '-14d', children: [{}, {}] }, // L: an index nothing runs
          { pushedAt: '-30d' }, // M: nothing
        ],
      },
    ],
  };
}

/** The image of `repository` pushed `days` ago. */
function imageAt(emulator: RunningEmulator, repository: string, days: number): ImageSnapshot {
  const at = emulator.now() - days * 86_400_000;
  const found = emulator.images(repository).filter((i) => i.imagePushedAt === at && i.subjectManifestDigest === undefined);
  const top = found.filter((i) => !emulator.images(repository).some((p) => p.childDigests?.includes(i.imageDigest)));
  if (top.length !== 1) throw new Error(`expected one image of ${repository} pushed ${days}d ago, found ${top.length}`);
  return top[0] as ImageSnapshot;
}

interface Scenario {
  emulator: RunningEmulator;
  digests: Record<'A' | 'B' | 'C' | 'D' | 'E' | 'F' | 'G' | 'H' | 'I' | 'J' | 'K' | 'L' | 'M', string>;
  children: { J: string[]; L: string[] };
}

/** Starts the emulator with the registry, then loads the consumers that reference its digests. */
async function start(options: { accessDenied?: string[] } = {}): Promise<Scenario> {
  const now = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString();
  const emulator = await startEmulator({ port: 0, state: registry(now), ...(options.accessDenied ? { accessDenied: options.accessDenied } : {}) });
  const d = (repository: string, days: number): string => imageAt(emulator, repository, days).imageDigest;
  const digests = {
    A: d('team/api', 30),
    B: d('team/api', 20),
    C: d('team/api', 10),
    F: d('team/api', 25),
    D: d('team/api', 40),
    E: d('team/api', 50),
    G: d('team/fn', 5),
    H: d('team/fn', 15),
    I: d('team/fn', 8),
    J: d('team/web', 12),
    K: d('team/web', 9),
    L: d('team/web', 14),
    M: d('team/web', 30),
  };
  emulator.loadState({
    repositories: [],
    ecs: {
      taskDefinitions: [
        { family: 'api', revision: 1, status: 'INACTIVE', containerDefinitions: [{ name: 'app', image: 'team/api:v0' }] },
        { family: 'api', revision: 2, containerDefinitions: [{ name: 'app', image: `team/api@${digests.F}` }] },
        { family: 'api', revision: 3, containerDefinitions: [{ name: 'app', image: 'team/api:v1' }] },
        { family: 'api', revision: 4, containerDefinitions: [{ name: 'app', image: 'team/api:v2' }] },
      ],
      clusters: [
        {
          name: 'prod',
          services: [{ name: 'api', taskDefinition: 'api:3' }],
          // Started when v2 named B; the tag has moved on to C since, the task still runs B.
          tasks: [{ id: TASK_ID, taskDefinition: 'api:4', containers: [{ name: 'app', image: 'team/api:v2', imageDigest: digests.B }] }],
        },
      ],
    },
    lambda: {
      functions: [{ name: 'resize', image: 'team/fn:v5', versions: [`team/fn@${digests.H}`, 'team/fn:v4', 'team/fn:v5'], aliases: [{ name: 'live', version: 1 }] }],
    },
  });
  const children = (digest: string): string[] => [...(emulator.images('team/web').find((i) => i.imageDigest === digest)?.childDigests ?? [])].sort();
  return { emulator, digests, children: { J: children(digests.J), L: children(digests.L) } };
}

const temp = useTempDir();
let rules = '';
let inUseFile = '';

beforeAll(async () => {
  rules = await writeText(temp.dir, 'rules.yml', RULES);
  await mkdir(join(temp.dir, 'in-use'), { recursive: true });
  inUseFile = join(temp.dir, 'in-use', 'prod-eks.json');
});

/** The exporter's file as written just now: the index by digest, one image by tag, one of another registry. */
async function writeInUseFile(s: Scenario): Promise<void> {
  const file = {
    generatedAt: new Date().toISOString(),
    source: 'prod-eks',
    images: [
      { image: `${HOST}/team/web@${s.digests.J}`, consumer: 'deployment shop/web' },
      `${HOST}/team/web:stable`,
      'docker.io/library/nginx:1.27',
    ],
  };
  await writeFile(inUseFile, JSON.stringify(file));
}

let scenario: Scenario | undefined;
afterEach(async () => {
  await scenario?.emulator.stop();
  scenario = undefined;
});

const sorted = (values: Iterable<string>): string[] => [...new Set(values)].sort();

describe('in-use protection, end to end (issue 9, "Done when")', () => {
  beforeEach(async () => {
    scenario = await start();
    await writeInUseFile(scenario);
  });

  it('plan keeps exactly the images ECS, Lambda and the in-use file reference (by tag, digest and index) and names their consumers; apply deletes all the rest', async () => {
    const s = scenario as Scenario;
    const { digests: x } = s;
    const env = cliEnv(s.emulator.url);
    const planned = await runCliProcess(['plan', '--rules', rules, '--format', 'json'], { env, cwd: temp.dir });
    expect(planned.stderr).toBe('');
    expect(planned.code).toBe(0);
    const plan = JSON.parse(planned.stdout) as Plan;
    const images = plan.repositories.flatMap((r) => r.images.map((i) => ({ ...i, repository: r.repositoryName })));

    const inUse = [x.A, x.B, x.C, x.F, x.G, x.H, x.J, x.K];
    const kept = sorted([...inUse, ...s.children.J]);
    const deleted = sorted([x.D, x.E, x.I, x.L, ...s.children.L, x.M]);
    expect(sorted(images.filter((i) => i.decision === 'keep').map((i) => i.imageDigest))).toEqual(kept);
    expect(sorted(images.filter((i) => i.decision === 'delete').map((i) => i.imageDigest))).toEqual(deleted);
    expect(images).toHaveLength(kept.length + deleted.length);

    // Who uses each image, from the plan JSON: every consumer, and only those.
    const task = `ECS task prod/${TASK_ID} (task definition api:4)`;
    const file = `from in-use file ${inUseFile}`;
    const expected: Record<string, string[]> = {
      [x.A]: ['ECS service prod/api (task definition api:3)', 'ECS task definition api:3 (rollback target)'],
      [x.B]: [task],
      [x.C]: ['ECS task definition api:4 (rollback target)', task],
      [x.F]: ['ECS task definition api:2 (rollback target)'],
      [x.G]: ['Lambda function resize ($LATEST)', 'Lambda function resize, version 3'],
      [x.H]: ['Lambda function resize, alias live'],
      [x.J]: [`Kubernetes prod-eks, deployment shop/web (${file})`],
      [x.K]: [`Kubernetes prod-eks (${file})`],
    };
    const usedBy = Object.fromEntries(images.filter((i) => (i.usages ?? []).length > 0).map((i) => [i.imageDigest, sorted((i.usages ?? []).map((u) => u.consumer))]));
    expect(usedBy).toEqual(Object.fromEntries(Object.entries(expected).map(([digest, consumers]) => [digest, sorted(consumers)])));
    for (const digest of inUse) {
      const image = images.find((i) => i.imageDigest === digest)!;
      expect(image.reason, image.repository).toMatch(/^keep: in use by /);
      expect(expected[digest]!.some((consumer) => image.reason.includes(consumer)), image.reason).toBe(true);
    }

    // The report: the three sources scanned, Batch and App Runner off, the other registry counted.
    const report = plan.inUse!;
    expect(Object.fromEntries(report.sources.map((r) => [r.source, r.status]))).toEqual({ ecs: 'scanned', lambda: 'scanned', batch: 'off', apprunner: 'off', file: 'scanned' });
    expect(report.counts.otherRegistry).toBe(1);

    // The human plan: the in-use summary, its count the images kept above (the index's children included).
    const table = await runCliProcess(['plan', '--rules', rules], { env, cwd: temp.dir });
    expect(table.code).toBe(0);
    const summary = `in use: ${kept.length} images kept (ECS 8 usages, Lambda 5, in-use files 3; Batch off, App Runner off)`;
    expect(table.stdout.split('\n')).toContain(summary);

    // apply deletes exactly what the plan deleted: what is left is what is in use.
    const applied = await runCliProcess(['apply', '--rules', rules, '--yes'], { env, cwd: temp.dir });
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    const left = sorted(['team/api', 'team/fn', 'team/web'].flatMap((r) => s.emulator.images(r).map((i) => i.imageDigest)));
    expect(left).toEqual(kept);
  });
});

describe('a source that cannot be read blocks deletion (fail closed)', () => {
  beforeEach(async () => {
    scenario = await start({ accessDenied: ['ecs:ListClusters'] });
    await writeInUseFile(scenario);
  });

  it.each([
    ['plan', []],
    ['apply', ['--yes']],
  ])('%s: access denied on ecs:ListClusters deletes nothing, exits 3, and names the source and why', async (command, extra) => {
    const s = scenario as Scenario;
    const before = sorted(['team/api', 'team/fn', 'team/web'].flatMap((r) => s.emulator.images(r).map((i) => i.imageDigest)));
    const run = await runCliProcess([command, '--rules', rules, ...extra], { env: cliEnv(s.emulator.url), cwd: temp.dir });
    expect(run.code).toBe(3);
    const out = `${run.stdout}\n${run.stderr}`;
    expect(out).toMatch(/ECS/);
    expect(out).toContain('AccessDeniedException');
    expect(out).toContain('ecs:ListClusters');
    expect(s.emulator.stats().requests.BatchDeleteImage ?? 0).toBe(0);
    expect(sorted(['team/api', 'team/fn', 'team/web'].flatMap((r) => s.emulator.images(r).map((i) => i.imageDigest)))).toEqual(before);
  });

  it('the plan JSON marks the source failed with its error and blocks every repository, saying why', async () => {
    const s = scenario as Scenario;
    const run = await runCliProcess(['plan', '--rules', rules, '--format', 'json'], { env: cliEnv(s.emulator.url), cwd: temp.dir });
    expect(run.code).toBe(3);
    const plan = JSON.parse(run.stdout) as Plan;
    const ecs = plan.inUse!.sources.find((r) => r.source === 'ecs')!;
    expect(ecs.status).toBe('failed');
    expect(ecs.error?.code).toBe('AccessDeniedException');
    expect(ecs.error?.message).toContain('ecs:ListClusters');
    // Each repository keeps the rules' decisions for the reader, but none will be executed.
    expect(plan.repositories.map((r) => [r.repositoryName, r.status])).toEqual([
      ['team/api', 'blocked'],
      ['team/fn', 'blocked'],
      ['team/web', 'blocked'],
    ]);
    for (const r of plan.repositories) expect(r.statusReason).toMatch(/ECS.*AccessDeniedException.*nothing is deleted in this registry/s);
  });
});
