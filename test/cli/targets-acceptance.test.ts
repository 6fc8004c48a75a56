/**
 * Issue 10's "Done when", through the real CLI: `plan`, then `apply --yes`, as child processes
 * against the emulator serving 2 accounts x 2 Regions, each reached through its role (STS
 * AssumeRole on the emulator). Apply deletes exactly each target's plan (compared as digest sets
 * per target, read through the SDK as the target's role), an ECS service in account B keeps an
 * image of account A, and the reports are per target (result.json's targets, the CLI's target
 * lines, report.html's sections, result.csv's account_id/region). A target whose role cannot be
 * assumed makes plan and apply exit 3 naming it, and (in-use protection on) nothing is deleted.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ECRClient, paginateDescribeImages } from '@aws-sdk/client-ecr';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator, type StateFile, type StateRepository } from '../../emulator/index.js';
import type { Plan } from '../../lib/core/plan-model.js';
import type { SweepResult } from '../../lib/core/result-model.js';
import { parseCsv } from '../fixtures/csv.js';
import { cliEnv, runCliProcess, useTempDir, writeText } from './cli-harness.js';

const HOME = '123456789012';
const A = '111111111111';
const B = '222222222222';
const REGIONS = ['eu-west-1', 'us-west-2'];
const KEYS = [A, B].flatMap((account) => REGIONS.map((region) => `${account}/${region}`));

function rules(extra = ''): string {
  return `version: 1
defaults:
  mode: dry-run
targets:
  - accountId: "${A}"
    roleName: EcrSweeperTarget
    regions: [eu-west-1, us-west-2]
  - accountId: "${B}"
    roleName: EcrSweeperTarget
    regions: [eu-west-1, us-west-2]
${extra}policies:
  - name: all
    repositories: { include: ["**"] }
    rules:
      - id: old
        select: { tagStatus: any }
        when: { sinceImagePushed: 1d }
`;
}

function repo(name: string): StateRepository {
  return { name, images: [{ tags: ['v1'], pushedAt: '-30d' }, { tags: ['v2'], pushedAt: '-20d' }, { pushedAt: '-10d' }, { tags: ['latest'], pushedAt: '-1h' }] };
}

const roles = [{ name: 'EcrSweeperTarget', trustedPrincipals: [HOME] }, { name: 'Locked', assumable: false }];
const STATE: StateFile = {
  repositories: [],
  accounts: {
    [A]: { roles, regions: { 'eu-west-1': { repositories: [repo('team/api')] }, 'us-west-2': { repositories: [repo('team/api'), repo('team/tools')] } } },
    [B]: {
      roles,
      regions: {
        'eu-west-1': {
          repositories: [repo('team/web')],
          ecs: {
            taskDefinitions: [{ family: 'api', containerDefinitions: [{ name: 'api', image: `${A}.dkr.ecr.eu-west-1.amazonaws.com/team/api:v1` }] }],
            clusters: [{ name: 'prod', services: [{ name: 'api', taskDefinition: 'api:1' }] }],
          },
        },
        'us-west-2': { repositories: [repo('team/web')] },
      },
    },
  },
};

let emulator: RunningEmulator;
const temp = useTempDir();
beforeEach(async () => {
  emulator = await startEmulator({ port: 0, state: STATE });
});
afterEach(async () => {
  await emulator.stop();
});

/** `repo@digest` -> tags of a target's registry, read through the SDK as its role. */
async function registryOf(key: string): Promise<Map<string, string[]>> {
  const [accountId, region] = key.split('/') as [string, string];
  const credentials = fromTemporaryCredentials({
    params: { RoleArn: `arn:aws:iam::${accountId}:role/EcrSweeperTarget`, RoleSessionName: 'check' },
    masterCredentials: { accessKeyId: 'AKIDCHECK', secretAccessKey: 'x' },
    clientConfig: { endpoint: emulator.url, region },
  });
  const ecr = new ECRClient({ endpoint: emulator.url, region, credentials });
  try {
    const found = new Map<string, string[]>();
    for (const r of emulator.repositoriesOf(accountId, region)) {
      for await (const page of paginateDescribeImages({ client: ecr }, { repositoryName: r.repositoryName })) {
        for (const i of page.imageDetails ?? []) found.set(`${r.repositoryName}@${i.imageDigest}`, [...(i.imageTags ?? [])].sort());
      }
    }
    return found;
  } finally {
    ecr.destroy();
  }
}

function planDeletes(plan: Plan, key: string): string[] {
  return plan.repositories
    .filter((r) => `${r.target?.accountId}/${r.target?.region}` === key)
    .flatMap((r) => r.images.filter((i) => i.decision === 'delete').map((i) => `${r.repositoryName}@${i.imageDigest}`))
    .sort();
}

describe('plan and apply over 2 accounts x 2 Regions (CLI, emulator)', () => {
  it('apply deletes exactly each target\'s plan; B\'s service keeps A\'s image; the reports are per target', { timeout: 60_000 }, async () => {
    const rulesPath = await writeText(temp.dir, 'org.yml', rules());
    const env = cliEnv(emulator.url);
    const before = new Map(await Promise.all(KEYS.map(async (key) => [key, await registryOf(key)] as const)));

    const planned = await runCliProcess(['plan', '--rules', rulesPath, '--format', 'json'], { env, cwd: temp.dir });
    expect(planned.stderr).not.toMatch(/Error/);
    expect(planned.code).toBe(0);
    const plan = JSON.parse(planned.stdout) as Plan;
    expect(plan.targets?.map((t) => [t.key, t.status])).toEqual(KEYS.map((k) => [k, 'planned']));
    expect(emulator.stats().requests.BatchDeleteImage ?? 0).toBe(0);
    // B's service runs A's team/api:v1 in eu-west-1: kept there, and only there.
    const v1 = plan.repositories.find((r) => r.target?.accountId === A && r.target.region === 'eu-west-1')!.images.find((i) => i.imageTags.includes('v1'))!;
    expect(v1.decision).toBe('keep');
    expect(v1.usages?.map((u) => u.consumer).join(' ')).toContain('prod/api');

    const out = join(temp.dir, 'out');
    const checkpoint = join(temp.dir, 'state', 'checkpoint.json');
    const applied = await runCliProcess(['apply', '--rules', rulesPath, '--yes', '--out', out, '--checkpoint', checkpoint, '--target-concurrency', '2'], { env, cwd: temp.dir });
    expect(applied.code).toBe(0);
    for (const key of KEYS) {
      const after = await registryOf(key);
      const deleted = [...before.get(key)!.keys()].filter((k) => !after.has(k)).sort();
      const expected = planDeletes(plan, key);
      expect(deleted, key).toEqual(expected);
      // Every image older than a day, except A's v1 in eu-west-1: 3 per repository (2 there).
      const repositories = emulator.repositoriesOf(key.split('/')[0]!, key.split('/')[1]!).length;
      expect(deleted.length, key).toBe(3 * repositories - (key === `${A}/eu-west-1` ? 1 : 0));
    }

    // Each target journals its own deletions, next to its own checkpoint and in --out.
    for (const key of KEYS) {
      const [accountId, region] = key.split('/') as [string, string];
      for (const path of [join(temp.dir, 'state', `checkpoint.${accountId}-${region}.json.journal.jsonl`), join(out, `result.${accountId}-${region}.journal.jsonl`)]) {
        const deletedThere = (await readFile(path, 'utf8'))
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line) as { event: string; answer?: string; repositoryName: string; imageDigest: string })
          .filter((r) => r.event === 'delete-answer' && r.answer === 'deleted')
          .map((r) => `${r.repositoryName}@${r.imageDigest}`)
          .sort();
        expect(deletedThere, path).toEqual(planDeletes(plan, key));
      }
    }

    const result = JSON.parse(await readFile(join(out, 'result.json'), 'utf8')) as SweepResult;
    expect(result.targets?.map((t) => [t.key, t.status, t.totals.deleted])).toEqual([
      [`${A}/eu-west-1`, 'completed', 2],
      [`${A}/us-west-2`, 'completed', 6],
      [`${B}/eu-west-1`, 'completed', 3],
      [`${B}/us-west-2`, 'completed', 3],
    ]);
    expect(result.totals.deleted).toBe(14);
    expect(applied.stdout).toContain('Targets (4):');
    expect(applied.stdout).toContain(`  - ${A}/us-west-2 completed: Repositories 2, Images seen 8, Deleted 6`);
    expect(applied.stdout).toContain(`│ account ${B}, us-west-2`);
    const html = await readFile(join(out, 'report.html'), 'utf8');
    for (const key of KEYS) expect(html).toContain(`data-target="${key}" data-target-status="completed"`);
    const csv = parseCsv(await readFile(join(out, 'result.csv'), 'utf8'));
    expect(csv[0]!.slice(0, 3)).toEqual(['account_id', 'region', 'repository']);
    expect(new Set(csv.slice(1).map((r) => `${r[0]}/${r[1]}`))).toEqual(new Set(KEYS));
  });

  it('a target whose role cannot be assumed: plan and apply exit 3 naming it, and nothing is deleted anywhere', { timeout: 60_000 }, async () => {
    const locked = `  - accountId: "${B}"\n    roleName: Locked\n    regions: [ap-south-1]\n`;
    const rulesPath = await writeText(temp.dir, 'locked.yml', rules().replace('policies:', `${locked}policies:`));
    const env = cliEnv(emulator.url);
    const planned = await runCliProcess(['plan', '--rules', rulesPath], { env, cwd: temp.dir });
    expect(planned.code).toBe(3);
    expect(planned.stdout).toContain(`  - ${B}/ap-south-1 FAILED: AccessDenied: account ${B}, ap-south-1: cannot assume role arn:aws:iam::${B}:role/Locked`);
    // Its in-use sources could not be read either: every target is blocked, and the line says so once per source.
    expect(planned.stdout).toMatch(/in use: .*\(ECS failed, Lambda failed; ECS 3 usages, Lambda 0;/);
    const applied = await runCliProcess(['apply', '--rules', rulesPath, '--yes'], { env, cwd: temp.dir });
    expect(applied.code).toBe(3);
    expect(applied.stdout).toContain(`  - ${B}/ap-south-1 FAILED: AccessDenied`);
    expect(applied.stdout + applied.stderr).toMatch(/account 222222222222, ap-south-1/);
    expect(emulator.stats().requests.BatchDeleteImage ?? 0).toBe(0);
  });
});

describe('targets on the command line', () => {
  it('organization: covers the organization\'s ACTIVE accounts (read through Organizations), each in its Regions', { timeout: 30_000 }, async () => {
    await emulator.stop();
    emulator = await startEmulator({ port: 0, state: { ...STATE, organization: { accounts: [{ id: A }, { id: B }, { id: '444444444444', status: 'SUSPENDED' }] } } });
    const org = `organization:\n  roleName: EcrSweeperTarget\n  regions: [eu-west-1, us-west-2]\n  accounts: { exclude: ["${HOME}"] }\n`;
    const rulesPath = await writeText(temp.dir, 'org-block.yml', rules().replace(/targets:[\s\S]*?(?=policies:)/, org));
    const planned = await runCliProcess(['plan', '--rules', rulesPath, '--format', 'json'], { env: cliEnv(emulator.url), cwd: temp.dir });
    expect(planned.code, planned.stderr).toBe(0);
    const plan = JSON.parse(planned.stdout) as Plan;
    expect(plan.targets?.map((t) => [t.key, t.status])).toEqual(KEYS.map((k) => [k, 'planned']));
    expect(emulator.stats().requests.BatchDeleteImage ?? 0).toBe(0);
  });

  it('--target-concurrency must be 1 to 64', { timeout: 30_000 }, async () => {
    const rulesPath = await writeText(temp.dir, 'tc.yml', rules());
    const run = await runCliProcess(['plan', '--rules', rulesPath, '--target-concurrency', '0'], { env: cliEnv(emulator.url), cwd: temp.dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--target-concurrency must be a whole number from 1 to 64; got '0'");
  });
});
