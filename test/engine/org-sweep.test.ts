/**
 * Multi-target runs (`runTargets`, lib/engine/org-sweep.ts) on the emulator in multi-account
 * mode, through the real SDK over HTTP with roles assumed by `fromTemporaryCredentials`: 2
 * accounts x 2 Regions. Apply deletes exactly each target's plan; a consumer (an ECS service) in
 * account B protects an image in account A's registry; a target whose role cannot be assumed is
 * failed while the others go on, and blocks deletion everywhere (what runs there is unknown); a
 * failing in-use source in one target blocks deletion in all; the run's plan sink sees the merged
 * plan before any deletion, and when it throws nothing is deleted anywhere.
 */
import { ECRClient, paginateDescribeImages } from '@aws-sdk/client-ecr';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileCheckpointStore } from '../../lib/adapters/checkpoint-file.js';
import { startEmulator, type RunningEmulator, type StateFile, type StateRepository } from '../../emulator/index.js';
import { createInUseReaders } from '../../lib/adapters/in-use-readers.js';
import { DEFAULT_IN_USE_SETTINGS, inUseSettingsOf } from '../../lib/core/in-use-settings.js';
import type { Plan } from '../../lib/core/plan-model.js';
import type { RuleSet } from '../../lib/core/rules-model.js';
import { targetKey, type Target } from '../../lib/core/targets.js';
import { createAwsClients, type AwsClients } from '../../lib/adapters/aws-clients.js';
import { PlanSinkError } from '../../lib/engine/errors.js';
import { runTargets, type TargetSweep } from '../../lib/engine/org-sweep.js';
import { MemoryInUseScanCache } from '../../lib/engine/in-use-cache.js';
import { scriptedReader, accessDenied } from './support/in-use.js';
import { ruleSet, taggedOlderThan, untaggedOlderThan } from './support/rules.js';
import { ecrRegistry } from '../../lib/adapters/ecr-registry-connector.js';

const HOME = '123456789012';
const A = '111111111111';
const B = '222222222222';
const REGIONS = ['eu-west-1', 'us-west-2'] as const;
const ROLE = 'EcrSweeperTarget';
const FAST = { minRate: 200 };

const RULES: RuleSet = ruleSet([taggedOlderThan(1, ['v*'], 'old-tagged'), untaggedOlderThan(1, 'old-untagged')]);
const RULES_IN_USE: RuleSet = { ...RULES, inUse: { ...DEFAULT_IN_USE_SETTINGS } };

function repo(name: string): StateRepository {
  return { name, images: [{ tags: ['v1'], pushedAt: '-30d' }, { tags: ['v2'], pushedAt: '-30d' }, { pushedAt: '-30d' }, { tags: ['latest'], pushedAt: '-1h' }] };
}

const roles = [{ name: ROLE, trustedPrincipals: [HOME] }, { name: 'Locked', assumable: false }];
const STATE: StateFile = {
  repositories: [],
  accounts: {
    [A]: { roles, regions: { 'eu-west-1': { repositories: [repo('app')] }, 'us-west-2': { repositories: [repo('app'), repo('tools')] } } },
    [B]: {
      roles,
      regions: {
        'eu-west-1': {
          repositories: [repo('web')],
          // A service in account B runs account A's image: it must protect it there.
          ecs: {
            taskDefinitions: [{ family: 'api', containerDefinitions: [{ name: 'api', image: `${A}.dkr.ecr.eu-west-1.amazonaws.com/app:v1` }] }],
            clusters: [{ name: 'prod', services: [{ name: 'api', taskDefinition: 'api:1' }] }],
          },
        },
        'us-west-2': { repositories: [repo('web')] },
      },
    },
  },
};

let emulator: RunningEmulator | undefined;
const built: AwsClients[] = [];
afterEach(async () => {
  for (const c of built.splice(0)) c.destroy();
  await emulator?.stop();
  emulator = undefined;
});

async function start(): Promise<RunningEmulator> {
  emulator = await startEmulator({ port: 0, state: STATE });
  return emulator;
}

function target(accountId: string, region: string, role = ROLE): Target {
  return { accountId, region, roleArn: `arn:aws:iam::${accountId}:role/${role}` };
}

const ALL: Target[] = [A, B].flatMap((account) => REGIONS.map((region) => target(account, region)));

/** A target's sweep as a driver wires it: clients on the target's assumed role, its own in-use readers. */
function roleCredentials(server: RunningEmulator, t: Target) {
  return fromTemporaryCredentials({
    params: { RoleArn: t.roleArn!, RoleSessionName: 'ecr-sweeper-test', DurationSeconds: 3600 },
    masterCredentials: { accessKeyId: 'AKIDHOME', secretAccessKey: 'not-a-secret' },
    clientConfig: { endpoint: server.url, region: t.region },
  });
}

function sweepOf(server: RunningEmulator, t: Target, rules: RuleSet): TargetSweep {
  const credentials = roleCredentials(server, t);
  const clients = createAwsClients({ endpoint: server.url, region: t.region, env: {}, credentials, ecrMaxAttempts: 1 });
  built.push(clients);
  return { target: t, deps: { registry: ecrRegistry(clients.ecr) }, inUseReaders: createInUseReaders(inUseSettingsOf(rules), clients, { baseDir: '.' }) };
}

/** `repo@digest` -> tags of every image of a target's registry, read through the SDK as the target's role. */
async function registry(server: RunningEmulator, t: Target): Promise<Map<string, string[]>> {
  const ecr = new ECRClient({ endpoint: server.url, region: t.region, credentials: roleCredentials(server, target(t.accountId, t.region)) });
  try {
    const found = new Map<string, string[]>();
    for (const r of server.repositoriesOf(t.accountId, t.region)) {
      for await (const page of paginateDescribeImages({ client: ecr }, { repositoryName: r.repositoryName })) {
        for (const i of page.imageDetails ?? []) found.set(`${r.repositoryName}@${i.imageDigest}`, [...(i.imageTags ?? [])].sort());
      }
    }
    return found;
  } finally {
    ecr.destroy();
  }
}

async function images(server: RunningEmulator, t: Target): Promise<string[]> {
  return [...(await registry(server, t)).keys()].sort();
}

async function tagsOf(server: RunningEmulator, t: Target, repository: string): Promise<string[]> {
  return [...(await registry(server, t))].filter(([k]) => k.startsWith(`${repository}@`)).map(([, tags]) => tags.join(',')).sort();
}

function deleteSet(plan: Plan): string[] {
  return plan.repositories.flatMap((r) => r.images.filter((i) => i.decision === 'delete').map((i) => `${r.repositoryName}@${i.imageDigest}`)).sort();
}

describe('runTargets on the multi-account emulator', () => {
  it('apply over 2 accounts x 2 Regions deletes exactly each target\'s plan, after the merged plan was recorded', async () => {
    const server = await start();
    const before = new Map(await Promise.all(ALL.map(async (t) => [targetKey(t), await images(server, t)] as const)));
    let recorded: Plan | undefined;
    let deletionsAtRecord = -1;
    const { plan, result, perTarget } = await runTargets(
      {
        targets: ALL.map((t) => sweepOf(server, t, RULES)),
        planSink: async (p) => {
          recorded = p;
          // A slow plan sink (an S3 upload): no target may start deleting while it writes.
          await new Promise((resolve) => setTimeout(resolve, 150));
          deletionsAtRecord = server.stats().requests.BatchDeleteImage ?? 0;
        },
      },
      { ruleSet: RULES, mode: 'apply', targetConcurrency: 2, rateControl: FAST },
    );
    expect(deletionsAtRecord).toBe(0);
    expect(recorded?.targets?.map((t) => t.key)).toEqual(ALL.map(targetKey).sort());
    expect(recorded?.summary.delete).toBe(plan.summary.delete);
    for (const t of ALL) {
      const own = perTarget.find((p) => targetKey(p.target) === targetKey(t))!;
      const planned = deleteSet(own.plan!);
      // 3 old images per repository (v1, v2, untagged); `latest` is new.
      expect(planned).toHaveLength(3 * own.plan!.repositories.length);
      expect(await images(server, t)).toEqual(before.get(targetKey(t))!.filter((k) => !planned.includes(k)));
    }
    expect(result.totals.deleted).toBe(plan.summary.delete);
    expect(result.totals.deleted).toBe(15);
    expect(result.totals.targets).toBe(4);
    expect(result.totals.failedTargets).toBe(0);
    expect(result.targets!.map((t) => t.status)).toEqual(['completed', 'completed', 'completed', 'completed']);
    expect(result.repositories.every((r) => r.target !== undefined)).toBe(true);
    expect(result.repositories.map((r) => `${r.target!.accountId}/${r.target!.region}/${r.repositoryName}`)).toEqual([
      `${A}/eu-west-1/app`,
      `${A}/us-west-2/app`,
      `${A}/us-west-2/tools`,
      `${B}/eu-west-1/web`,
      `${B}/us-west-2/web`,
    ]);
  });

  it('a consumer in account B protects an image in account A\'s registry, named with its target', async () => {
    const server = await start();
    const cache = new MemoryInUseScanCache();
    const { result } = await runTargets(
      { targets: ALL.map((t) => sweepOf(server, t, RULES_IN_USE)), inUse: { sharedReaders: [], cache } },
      { ruleSet: RULES_IN_USE, mode: 'apply', rateControl: FAST },
    );
    expect(cache.scans).toBe(1);
    expect(await tagsOf(server, target(A, 'eu-west-1'), 'app')).toEqual(['latest', 'v1']);
    const v1 = result.repositories.find((r) => r.target?.accountId === A && r.target.region === 'eu-west-1')!.images.find((i) => i.imageTags.includes('v1'))!;
    expect(v1.decision).toBe('keep');
    expect(v1.reason).toContain('ECS service prod/api');
    // The same tag in A's other Region is not that image: deleted.
    expect(await tagsOf(server, target(A, 'us-west-2'), 'app')).toEqual(['latest']);
    expect(result.inUse?.sources.map((s) => s.label)).toEqual(expect.arrayContaining([`ECS (all clusters) in ${B}/eu-west-1`]));
  });

  it('a target whose role cannot be assumed is failed, naming account and Region; the others are planned and, without in-use sources, swept', async () => {
    const server = await start();
    const locked = target(A, 'eu-west-1', 'Locked');
    const others = ALL.filter((t) => !(t.accountId === A && t.region === 'eu-west-1'));
    const { result, plan } = await runTargets(
      { targets: [...others, locked].map((t) => sweepOf(server, t, RULES)) },
      { ruleSet: RULES, mode: 'apply', rateControl: FAST },
    );
    const failed = result.targets!.find((t) => t.key === `${A}/eu-west-1`)!;
    expect(failed.status).toBe('failed');
    expect(failed.error?.message).toContain(`account ${A}, eu-west-1`);
    expect(failed.error?.message).toMatch(/AccessDenied|not authorized/);
    expect(result.totals.failedTargets).toBe(1);
    expect(plan.targets!.find((t) => t.key === `${A}/eu-west-1`)!.status).toBe('failed');
    expect(result.targets!.filter((t) => t.status === 'completed')).toHaveLength(3);
    expect(result.totals.deleted).toBe(12);
    expect(await images(server, target(A, 'eu-west-1'))).toHaveLength(4);
  });

  it('with in-use protection, an unassumable target blocks deletion in every target (a consumer could be there)', async () => {
    const server = await start();
    const locked = target(B, 'us-west-2', 'Locked');
    const others = ALL.filter((t) => !(t.accountId === B && t.region === 'us-west-2'));
    const before = new Map(await Promise.all(others.map(async (t) => [targetKey(t), await images(server, t)] as const)));
    const { result } = await runTargets(
      { targets: [...others, locked].map((t) => sweepOf(server, t, RULES_IN_USE)), inUse: { sharedReaders: [] } },
      { ruleSet: RULES_IN_USE, mode: 'apply', rateControl: FAST },
    );
    expect(result.totals.deleted).toBe(0);
    for (const t of others) expect(await images(server, t)).toEqual(before.get(targetKey(t)));
    expect(server.stats().requests.BatchDeleteImage ?? 0).toBe(0);
    const blocked = result.repositories.filter((r) => r.status === 'blocked');
    expect(blocked.length).toBe(4);
    for (const r of blocked) expect(r.statusReason).toContain(`in ${B}/us-west-2`);
    expect(result.targets!.find((t) => t.key === `${B}/us-west-2`)!.status).toBe('failed');
  });

  it('a failed target from resolution blocks deletion everywhere when in-use protection is on', async () => {
    const server = await start();
    const { result } = await runTargets(
      {
        targets: ALL.map((t) => sweepOf(server, t, RULES_IN_USE)),
        failed: [{ accountId: '333333333333', region: 'eu-west-1', error: { code: 'AccessDenied', message: 'sts:AssumeRole denied' } }],
        inUse: { sharedReaders: [] },
      },
      { ruleSet: RULES_IN_USE, mode: 'apply', rateControl: FAST },
    );
    expect(server.stats().requests.BatchDeleteImage ?? 0).toBe(0);
    expect(result.totals.failedTargets).toBe(1);
    expect(result.inUse?.sources.find((s) => s.status === 'failed')?.label).toBe('in-use sources in account 333333333333, eu-west-1');
  });

  it('a failing in-use source in one target blocks deletion in all', async () => {
    const server = await start();
    const sweeps = ALL.map((t) => sweepOf(server, t, RULES_IN_USE));
    const b = sweeps.find((s) => s.target.accountId === B && s.target.region === 'eu-west-1')!;
    // B's ECS cannot be read (the port, as its reader reports AccessDenied on a cluster).
    b.inUseReaders = [scriptedReader('ecs', 'ECS (all clusters)', () => accessDenied('cluster prod')), ...(b.inUseReaders ?? []).filter((r) => r.source !== 'ecs')];
    const { result } = await runTargets({ targets: sweeps, inUse: { sharedReaders: [] } }, { ruleSet: RULES_IN_USE, mode: 'apply', rateControl: FAST });
    expect(server.stats().requests.BatchDeleteImage ?? 0).toBe(0);
    expect(result.totals.deleted).toBe(0);
    expect(result.repositories.filter((r) => r.status === 'blocked')).toHaveLength(5);
    expect(result.repositories.find((r) => r.status === 'blocked')!.statusReason).toContain(`in-use source ECS (all clusters) in ${B}/eu-west-1 could not be read (AccessDeniedException`);
  });

  it('the run\'s plan sink throwing deletes nothing anywhere and throws PlanSinkError', async () => {
    const server = await start();
    const before = new Map(await Promise.all(ALL.map(async (t) => [targetKey(t), await images(server, t)] as const)));
    const error = await runTargets(
      {
        targets: ALL.map((t) => sweepOf(server, t, RULES)),
        planSink: async () => {
          throw new Error('bucket not writable');
        },
      },
      { ruleSet: RULES, mode: 'apply', targetConcurrency: 1, rateControl: FAST },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlanSinkError);
    expect((error as Error).message).toContain('nothing was deleted in any target: bucket not writable');
    expect(server.stats().requests.BatchDeleteImage ?? 0).toBe(0);
    for (const t of ALL) expect(await images(server, t)).toEqual(before.get(targetKey(t)));
  });

  it('a declined plan deletes nothing and the run reads as a dry run', async () => {
    const server = await start();
    const { result } = await runTargets(
      { targets: ALL.map((t) => sweepOf(server, t, RULES)), planSink: async () => ({ execute: false, reason: 'declined at the prompt' }) },
      { ruleSet: RULES, mode: 'apply', rateControl: FAST },
    );
    expect(server.stats().requests.BatchDeleteImage ?? 0).toBe(0);
    expect(result.mode).toBe('dry-run');
    expect(result.targets!.map((t) => t.status)).toEqual(['planned', 'planned', 'planned', 'planned']);
  });

  it('an aborted signal stops every target: nothing deleted, the run interrupted', async () => {
    const server = await start();
    const controller = new AbortController();
    controller.abort('SIGINT');
    const { result } = await runTargets({ targets: ALL.map((t) => sweepOf(server, t, RULES)) }, { ruleSet: RULES, mode: 'apply', signal: controller.signal, rateControl: FAST });
    expect(server.stats().requests.BatchDeleteImage ?? 0).toBe(0);
    expect(result.interrupted).toBe('SIGINT');
    expect(result.targets!.every((t) => t.status === 'incomplete')).toBe(true);
  });
  it('each target resumes from its own checkpoint: a run interrupted after the plan deletes nothing, the next run finishes every target under the same run id', async () => {
    const server = await start();
    const dir = await mkdtemp(join(tmpdir(), 'org-sweep-'));
    try {
      const withCheckpoints = (t: Target): TargetSweep => {
        const sweep = sweepOf(server, t, RULES);
        sweep.deps.checkpoint = new FileCheckpointStore(join(dir, `checkpoint.${t.accountId}-${t.region}.json`));
        return sweep;
      };
      const before = new Map(await Promise.all(ALL.map(async (t) => [targetKey(t), await images(server, t)] as const)));
      const controller = new AbortController();
      const first = await runTargets(
        { targets: ALL.map(withCheckpoints), planSink: async () => controller.abort('SIGTERM') },
        { ruleSet: RULES, mode: 'apply', signal: controller.signal, rateControl: FAST },
      );
      expect(first.result.interrupted).toBe('SIGTERM');
      expect(server.stats().requests.BatchDeleteImage ?? 0).toBe(0);
      expect(first.result.targets!.every((t) => t.status === 'incomplete')).toBe(true);

      const second = await runTargets({ targets: ALL.map(withCheckpoints) }, { ruleSet: RULES, mode: 'apply', rateControl: FAST });
      expect(second.result.runId).toBe(first.result.runId);
      expect(second.perTarget.map((p) => p.result!.runId)).toEqual(ALL.map(() => first.result.runId));
      expect(second.result.targets!.map((t) => t.status)).toEqual(['completed', 'completed', 'completed', 'completed']);
      for (const t of ALL) {
        const planned = deleteSet(first.perTarget.find((p) => targetKey(p.target) === targetKey(t))!.plan!);
        expect(await images(server, t)).toEqual(before.get(targetKey(t))!.filter((k) => !planned.includes(k)));
      }
      expect(second.result.totals.deleted).toBe(first.plan.summary.delete);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
