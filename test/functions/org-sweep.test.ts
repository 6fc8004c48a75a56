/**
 * The organization state machine's five handlers, run for real in the order the state machine
 * runs them (Start, each planning lane's shards, RecordPlan, each apply lane's shards, Finish)
 * against the emulator in multi-account mode (2 accounts x 2 Regions, reached through STS
 * AssumeRole) and s3rver. The Maps are played by reading the lane files the ItemReader would read.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { BatchDeleteImageCommand, ECRClient, ListImagesCommand } from '@aws-sdk/client-ecr';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startEmulator, type StateFile } from '../../emulator/index.js';
import type { Lane } from '../../lib/core/org-shards.js';
import type { PlanPart } from '../../lib/core/org-run.js';
import { captureOutput, functionEnv, lambdaContext, listKeys, readObject, startLocalCloud, writeRules, type Handler, type LocalCloud } from './support/harness.js';

const A = '111111111111';
const B = '222222222222';
const REGIONS = ['eu-west-1', 'us-west-2'];
const TARGETS = [A, B].flatMap((account) => REGIONS.map((region) => ({ account, region })));

/** Per registry: two repositories, each with an old untagged image (planned for deletion), a recent untagged one and a tagged one. */
function registry(account: string, region: string) {
  const repo = (name: string) => ({
    name,
    images: [{ pushedAt: '-30d' }, { pushedAt: '-20d' }, { pushedAt: '-2d' }, { tags: [`${account}-${region}`], pushedAt: '-40d' }],
  });
  return { repositories: [repo('app/web'), repo('app/api')] };
}

function state(options: { lockedAccount?: string } = {}): StateFile {
  const accounts: NonNullable<StateFile['accounts']> = {};
  for (const account of [A, B]) {
    accounts[account] = {
      roles: [{ name: 'EcrSweeperTarget', ...(options.lockedAccount === account ? { assumable: false } : {}) }],
      regions: Object.fromEntries(REGIONS.map((region) => [region, registry(account, region)])),
    };
  }
  return { repositories: [], accounts };
}

const RULES = `version: 1
targets:
  - { accountId: "${A}", roleName: EcrSweeperTarget, regions: [${REGIONS.join(', ')}] }
  - { accountId: "${B}", roleName: EcrSweeperTarget, regions: [${REGIONS.join(', ')}] }
defaults:
  mode: apply
  minAge: 1d
policies:
  - name: apps
    repositories: { include: ["app/**"] }
    rules:
      - id: untagged-after-7d
        select: { tagStatus: untagged }
        when: { sinceImagePushed: 7d }
`;

interface OrgHandlers {
  start: Handler;
  planShard: Handler;
  recordPlan: Handler;
  applyShard: Handler;
  finish: Handler;
}

/** A new container for each of the five functions (fresh module graph, this environment). */
async function coldStartOrg(env: Record<string, string>): Promise<OrgHandlers> {
  for (const [key, value] of Object.entries(env)) vi.stubEnv(key, value);
  vi.resetModules();
  return {
    start: (await import('../../functions/org-start.js')).handler as unknown as Handler,
    planShard: (await import('../../functions/org-plan-shard.js')).handler as unknown as Handler,
    recordPlan: (await import('../../functions/org-record-plan.js')).handler as unknown as Handler,
    applyShard: (await import('../../functions/org-apply-shard.js')).handler as unknown as Handler,
    finish: (await import('../../functions/org-finish.js')).handler as unknown as Handler,
  };
}

async function readJson<T>(cloud: LocalCloud, key: string): Promise<T> {
  const text = await readObject(cloud.s3, key);
  if (text === null) throw new Error(`missing ${key}`);
  return JSON.parse(text) as T;
}

/** Plays one Distributed Map: every lane's shards in order, skipping those `skip` names (as if their invocation failed). */
async function playMap(cloud: LocalCloud, lanesKey: string, run: unknown, handler: Handler, skip: ReadonlySet<string> = new Set()): Promise<unknown[]> {
  const lanes = await readJson<Lane[]>(cloud, lanesKey);
  const outputs: unknown[] = [];
  await Promise.all(
    lanes.map(async (lane) => {
      for (const shard of lane.shards) {
        if (skip.has(shard.shardId)) continue;
        outputs.push(await handler({ run, shard }, lambdaContext()));
      }
    }),
  );
  return outputs;
}

/** Digests left in each repository of each target, read through the target's own account and Region. */
async function remaining(cloud: LocalCloud): Promise<Map<string, Set<string>>> {
  const out = new Map<string, Set<string>>();
  for (const { account, region } of TARGETS) {
    // An access key of the account itself (the emulator maps it to the account): no role needed to look.
    const ecr = new ECRClient({ endpoint: cloud.emulator.url, region, credentials: { accessKeyId: `AKID${account}`, secretAccessKey: 'x' }, maxAttempts: 1 });
    for (const repositoryName of ['app/web', 'app/api']) {
      const images = (await ecr.send(new ListImagesCommand({ repositoryName }))).imageIds ?? [];
      out.set(`${account}/${region}/${repositoryName}`, new Set(images.map((i) => i.imageDigest!)));
    }
    ecr.destroy();
  }
  return out;
}

// A fresh emulator and S3 per test: each loads its own organization.
let cloud: LocalCloud;
let rulesPath: string;
beforeEach(async () => {
  cloud = await startLocalCloud();
  rulesPath = await writeRules(cloud, 'org.yml', RULES);
});
afterEach(async () => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  await cloud?.stop();
});

function withAccessKeys(s: StateFile): StateFile {
  for (const account of [A, B]) s.accounts![account]!.accessKeys = { [`AKID${account}`]: null };
  return s;
}

describe('organization sweep handlers', () => {
  it('plans 2 accounts x 2 Regions in shards, records the whole plan before the first deletion, deletes exactly the plan in each target', async () => {
    cloud.emulator.loadState(withAccessKeys(state()));
    const before = await remaining(cloud);
    const env = functionEnv(cloud, rulesPath, { ORG_SHARD_SIZE: '1', ORG_LANES_PER_TARGET: '2' });
    const output = captureOutput();
    let keysAtFirstDelete: string[] | undefined;
    let deletes = 0;
    const realSend = ECRClient.prototype.send as (this: ECRClient, command: unknown) => Promise<unknown>;
    vi.spyOn(ECRClient.prototype, 'send').mockImplementation(async function (this: ECRClient, command: any) {
      if (command instanceof BatchDeleteImageCommand && deletes++ === 0) keysAtFirstDelete = await listKeys(cloud.s3);
      return realSend.call(this, command);
    } as never);
    let summary: any;
    let run: any;
    try {
      const fns = await coldStartOrg(env);
      const started = (await fns.start({ input: {}, executionName: 'test' }, lambdaContext())) as any;
      run = started.run;
      expect(started).toMatchObject({ mode: 'apply', targets: 4, failedTargets: 0, shards: 8 });
      const planned = await playMap(cloud, started.lanesKey, run, fns.planShard);
      expect(planned.map((o: any) => o.status)).toEqual(Array(8).fill('planned'));
      expect(deletes).toBe(0);
      const recorded = (await fns.recordPlan({ ...started }, lambdaContext())) as any;
      expect(recorded).toMatchObject({ apply: true, failedShards: 0 });
      const applied = await playMap(cloud, recorded.applyLanesKey, run, fns.applyShard);
      expect(applied.map((o: any) => o.status)).toEqual(Array(8).fill('completed'));
      summary = await fns.finish({ ...recorded }, lambdaContext());
    } finally {
      output.restore();
    }

    // The whole organization's plan was in S3 before the first BatchDeleteImage; no result yet.
    expect(keysAtFirstDelete).toBeDefined();
    const planKeys = keysAtFirstDelete!.filter((k) => k.endsWith(`/${run.runId}/plan.json`));
    expect(planKeys).toHaveLength(1);
    expect(keysAtFirstDelete!.some((k) => k.endsWith('result.json'))).toBe(false);
    const plan = JSON.parse((await readObject(cloud.s3, planKeys[0]!))!);
    expect(plan.summary.delete).toBe(16);
    expect(plan.repositories).toHaveLength(8);
    // One document for the run: every repository under its account and Region, one entry per target.
    expect(plan.targets.map((t: { key: string; status: string; summary: { delete: number } }) => [t.key, t.status, t.summary.delete])).toEqual(TARGETS.map(({ account, region }) => [`${account}/${region}`, 'planned', 4]));
    expect(new Set(plan.repositories.map((r: { target: { accountId: string; region: string } }) => `${r.target.accountId}/${r.target.region}`)).size).toBe(4);

    // Exactly the recorded plan is gone, per target: the shards' plan parts say which digests.
    const after = await remaining(cloud);
    const lanes = await readJson<Lane[]>(cloud, `ecr-sweeper/runs/${run.runId}/shards.json`);
    const planned = new Map<string, Set<string>>();
    for (const ref of lanes.flatMap((l) => l.shards)) {
      const part = await readJson<PlanPart>(cloud, `ecr-sweeper/runs/${run.runId}/plans/${ref.targetKey}/${ref.shardId}.json`);
      expect(part.status).toBe('planned');
      for (const repo of part.plan!.repositories) {
        planned.set(`${ref.targetKey}/${repo.repositoryName}`, new Set(repo.images.filter((i) => i.decision === 'delete').map((i) => i.imageDigest)));
      }
    }
    expect([...planned.keys()].sort()).toEqual([...before.keys()].sort());
    for (const [key, digests] of before) {
      const deleted = [...digests].filter((d) => !after.get(key)!.has(d)).sort();
      expect(deleted, key).toEqual([...planned.get(key)!].sort());
      // Each planned the two old untagged images of four, in every target.
      expect(deleted, key).toHaveLength(2);
    }
    expect(summary).toMatchObject({ runId: run.runId, mode: 'apply', totals: { deleted: 16, failed: 0, repositories: 8 } });
    const result = JSON.parse((await readObject(cloud.s3, `${planKeys[0]!.replace(/plan\.json$/, 'result.json')}`))!);
    expect(result.totals.deleted).toBe(16);
    expect(result.targets.map((t: { key: string; status: string; totals: { deleted: number } }) => [t.key, t.status, t.totals.deleted])).toEqual(TARGETS.map(({ account, region }) => [`${account}/${region}`, 'completed', 4]));
    const csv = (await readObject(cloud.s3, `${planKeys[0]!.replace(/plan\.json$/, 'result.csv')}`))!;
    expect(csv.split('\n')[0]).toMatch(/account_id.*region/);
    // One in-use set for the run: every target's ECS and Lambda scanned, each labelled with its target.
    const labels = result.inUse.sources.map((s: { label: string; status: string }) => `${s.status} ${s.label}`);
    for (const { account, region } of TARGETS) {
      expect(labels).toContain(`scanned ECS (all clusters) in ${account}/${region}`);
    }
  });

  it('each shard step, RecordPlan and Finish keep images in an image part store under their /tmp, and remove the folder when they end', async () => {
    cloud.emulator.loadState(withAccessKeys(state()));
    const env = functionEnv(cloud, rulesPath, { ORG_SHARD_SIZE: '1', ORG_LANES_PER_TARGET: '2' });
    const output = captureOutput();
    type Step = 'plan' | 'record' | 'apply' | 'finish';
    const written: { step: Step; dir: string; key: string; kind: 'plan' | 'result' }[] = [];
    let step: Step = 'plan';
    let summary: any;
    try {
      const fns = await coldStartOrg(env);
      // The module instance the handlers loaded (imported after the cold start).
      const { FileImageParts } = await import('../../lib/adapters/image-parts-file.js');
      const writePlan = FileImageParts.prototype.writePlanImages;
      const writeResult = FileImageParts.prototype.writeResultImages;
      vi.spyOn(FileImageParts.prototype, 'writePlanImages').mockImplementation(function (this: InstanceType<typeof FileImageParts>, key, images) {
        writePlan.call(this, key, images);
        written.push({ step, dir: this.dir, key, kind: 'plan' });
      });
      vi.spyOn(FileImageParts.prototype, 'writeResultImages').mockImplementation(function (this: InstanceType<typeof FileImageParts>, key, images) {
        writeResult.call(this, key, images);
        written.push({ step, dir: this.dir, key, kind: 'result' });
      });
      const started = (await fns.start({ input: {} }, lambdaContext())) as any;
      await playMap(cloud, started.lanesKey, started.run, fns.planShard);
      step = 'record';
      const recorded = (await fns.recordPlan({ ...started }, lambdaContext())) as any;
      step = 'apply';
      await playMap(cloud, recorded.applyLanesKey, started.run, fns.applyShard);
      step = 'finish';
      summary = await fns.finish({ ...recorded }, lambdaContext());
    } finally {
      output.restore();
    }

    expect(summary).toMatchObject({ totals: { deleted: 16, failed: 0 } });
    // 8 planning and 8 apply invocations (one repository each, lanes running side by side), RecordPlan and Finish: a folder each.
    const dirsOf = (...steps: Step[]) => [...new Set(written.filter((w) => steps.includes(w.step)).map((w) => w.dir))];
    const dirs = dirsOf('plan', 'record', 'apply', 'finish');
    expect(dirs).toHaveLength(18);
    expect(dirsOf('plan', 'apply')).toHaveLength(16);
    expect(dirsOf('record')).toHaveLength(1);
    expect(dirsOf('finish')).toHaveLength(1);
    const root = join(cloud.tmpDir, 'ecr-sweeper-function');
    for (const dir of dirs) expect(dir.startsWith(`${root}/ecr-sweeper-parts-`)).toBe(true);
    const keys = (s: Step, kind: 'plan' | 'result') => new Set(written.filter((w) => w.step === s && w.kind === kind).map((w) => w.key));
    for (const s of ['plan', 'apply'] as const) {
      expect(keys(s, 'plan')).toEqual(new Set(['app/api', 'app/web']));
      expect(keys(s, 'result')).toEqual(new Set(['app/api', 'app/web']));
    }
    // RecordPlan and Finish: every shard's repository (8 shards of one), keyed by shard; Finish reports the applied result parts.
    const manifest = await readJson<{ shards: { shardId: string }[] }>(cloud, `ecr-sweeper/runs/${summary.runId}/run.json`);
    expect(manifest.shards).toHaveLength(8);
    const everyShard = (kind: string) => new Set(manifest.shards.map((sh) => `${kind}\u0000${sh.shardId}`));
    const shardsOf = (s: Step, kind: 'plan' | 'result') => new Set([...keys(s, kind)].map((k) => k.split('\u0000').slice(0, 2).join('\u0000')));
    expect(shardsOf('record', 'plan')).toEqual(everyShard('plan-part'));
    expect(keys('record', 'result')).toEqual(new Set());
    expect(shardsOf('finish', 'plan')).toEqual(everyShard('plan-part'));
    expect(shardsOf('finish', 'result')).toEqual(everyShard('result-part'));
    // Every folder is gone, and none was removed under a running shard (each step wrote its part).
    for (const dir of dirs) expect(existsSync(dir)).toBe(false);
    expect(readdirSync(root)).toEqual([]);
    expect(output.lines().filter((l) => l.message === 'image parts left by an earlier invocation removed')).toEqual([]);
  });

  it('a shard whose invocation failed is reported failed, its target never clean, and the execution fails after the report', async () => {
    cloud.emulator.loadState(withAccessKeys(state()));
    const before = await remaining(cloud);
    const env = functionEnv(cloud, rulesPath, { ORG_SHARD_SIZE: '1', ORG_LANES_PER_TARGET: '1' });
    const output = captureOutput();
    let error: Error | undefined;
    let run: any;
    const lost = `${B}-us-west-2-1`;
    try {
      const fns = await coldStartOrg(env);
      const started = (await fns.start({ input: {} }, lambdaContext())) as any;
      run = started.run;
      // The planning child of one shard failed (its Catch ran): no plan part.
      await playMap(cloud, started.lanesKey, run, fns.planShard, new Set([lost]));
      const recorded = (await fns.recordPlan({ ...started }, lambdaContext())) as any;
      expect(recorded).toMatchObject({ apply: true, failedShards: 2 });
      const applyLanes = await readJson<Lane[]>(cloud, recorded.applyLanesKey);
      // Neither the lost shard nor the other shard of its target is applied.
      expect(applyLanes.map((l) => l.targetKey)).not.toContain(`${B}/us-west-2`);
      expect(applyLanes.flatMap((l) => l.shards)).toHaveLength(6);
      await playMap(cloud, recorded.applyLanesKey, run, fns.applyShard);
      error = await fns.finish({ ...recorded }, lambdaContext()).then(() => undefined, (e: Error) => e);
    } finally {
      output.restore();
    }
    expect(error?.name).toBe('OrgSweepFailedError');
    expect(error?.message).toContain(`shard failed: ${lost}: ShardNotPlanned`);
    const keys = await listKeys(cloud.s3);
    const resultKey = keys.find((k) => k.endsWith(`/${run.runId}/result.json`))!;
    const result = JSON.parse((await readObject(cloud.s3, resultKey))!);
    // The target is failed in the result, with the shard named; the others completed.
    const failedTarget = result.targets.find((t: { key: string }) => t.key === `${B}/us-west-2`);
    expect(failedTarget).toMatchObject({ status: 'failed', error: { code: 'ShardNotPlanned' } });
    expect(failedTarget.error.message).toContain(`account ${B}, us-west-2 FAILED, nothing of it was deleted: shard ${lost}`);
    expect(result.totals.failedTargets).toBe(1);
    expect(result.targets.filter((t: { status: string }) => t.status === 'completed')).toHaveLength(3);
    // The lost shard's target is failed as a whole: nothing of it is deleted; the other targets were applied.
    const after = await remaining(cloud);
    for (const repo of ['app/web', 'app/api']) expect(after.get(`${B}/us-west-2/${repo}`)).toEqual(before.get(`${B}/us-west-2/${repo}`));
    for (const { account, region } of TARGETS.filter((t) => !(t.account === B && t.region === 'us-west-2'))) {
      for (const repo of ['app/web', 'app/api']) expect(after.get(`${account}/${region}/${repo}`)!.size, `${account}/${region}/${repo}`).toBe(2);
    }
    expect(result.totals.deleted).toBe(12);
    // Finish threw after the report: its image part folder (and every shard's) is removed all the same.
    expect(readdirSync(join(cloud.tmpDir, 'ecr-sweeper-function'))).toEqual([]);
  });

  it('a target whose role cannot be assumed fails, and (its consumers unseen) nothing is deleted in any target', async () => {
    cloud.emulator.loadState(withAccessKeys(state({ lockedAccount: B })));
    const before = await remaining(cloud);
    const env = functionEnv(cloud, rulesPath, { ORG_SHARD_SIZE: '2' });
    const output = captureOutput();
    let error: Error | undefined;
    let started: any;
    try {
      const fns = await coldStartOrg(env);
      started = (await fns.start({ input: {} }, lambdaContext())) as any;
      expect(started).toMatchObject({ targets: 2, failedTargets: 2 });
      await playMap(cloud, started.lanesKey, started.run, fns.planShard);
      const recorded = (await fns.recordPlan({ ...started }, lambdaContext())) as any;
      await playMap(cloud, recorded.applyLanesKey, started.run, fns.applyShard);
      error = await fns.finish({ ...recorded }, lambdaContext()).then(() => undefined, (e: Error) => e);
    } finally {
      output.restore();
    }
    expect(error?.name).toBe('OrgSweepFailedError');
    expect(error?.message).toMatch(new RegExp(`target failed: account ${B}, eu-west-1: .*`));
    // The role's refusal as it is: its AWS code, the target named once (not a TargetError wrapping DescribeRepositories).
    expect(error?.message).toContain(`target failed: account ${B}, eu-west-1: AccessDenied: account ${B}, eu-west-1: cannot assume role arn:aws:iam::${B}:role/EcrSweeperTarget: AccessDenied:`);
    expect(error?.message).toMatch(/in-use source failed, nothing deleted: ECS \(all clusters\) in 222222222222\/eu-west-1/);
    expect(await remaining(cloud)).toEqual(before);
    // The result says so: B's targets failed (naming account and Region), A's kept everything for want of B's consumers.
    const keys = await listKeys(cloud.s3);
    const result = JSON.parse((await readObject(cloud.s3, keys.find((k) => k.endsWith(`/${started.run.runId}/result.json`))!))!);
    const failed = result.targets.filter((t: { status: string }) => t.status === 'failed');
    expect(failed.map((t: { key: string }) => t.key)).toEqual([`${B}/eu-west-1`, `${B}/us-west-2`]);
    for (const t of failed) expect(t.error.message).toContain(`account ${B}, ${t.region}`);
    expect(result.totals).toMatchObject({ deleted: 0, failedTargets: 2 });
  });

  it('resolves organization: through AWS Organizations, and a dry-run execution input plans, reports and deletes nothing', async () => {
    const s = withAccessKeys(state());
    s.organization = { managementAccountId: '123456789012', accounts: [{ id: A }, { id: B }, { id: '444444444444', status: 'SUSPENDED' }] };
    // The organization is read when the emulator starts: this test's own emulator, stopped with the cloud.
    const shared = cloud.emulator;
    cloud.emulator = await startEmulator({ port: 0, state: s });
    const own = cloud.emulator;
    const stop = cloud.stop;
    cloud.stop = async () => {
      await own.stop();
      cloud.emulator = shared;
      await stop();
    };
    const before = await remaining(cloud);
    const orgRules = await writeRules(cloud, 'organization.yml', RULES.replace(/targets:\n(  - .*\n)+/, 'organization:\n  roleName: EcrSweeperTarget\n  regions: [eu-west-1]\n  accounts: { exclude: ["123456789012"] }\n'));
    const output = captureOutput();
    let started: any;
    let recorded: any;
    let summary: any;
    try {
      const fns = await coldStartOrg(functionEnv(cloud, orgRules));
      started = (await fns.start({ input: { mode: 'dry-run' } }, lambdaContext())) as any;
      // The suspended account and the excluded management account are not targets.
      expect(started).toMatchObject({ mode: 'dry-run', targets: 2, failedTargets: 0 });
      await playMap(cloud, started.lanesKey, started.run, fns.planShard);
      recorded = (await fns.recordPlan({ ...started }, lambdaContext())) as any;
      // Rules say apply; the execution said dry-run: the state machine's Choice goes straight to Finish.
      expect(recorded.apply).toBe(false);
      expect(await readJson<Lane[]>(cloud, recorded.applyLanesKey)).toEqual([]);
      summary = await fns.finish({ ...recorded }, lambdaContext());
    } finally {
      output.restore();
    }
    expect(summary).toMatchObject({ mode: 'dry-run', totals: { deleted: 0, wouldDelete: 8, targets: 2, failedTargets: 0 } });
    const plan = JSON.parse((await readObject(cloud.s3, recorded.planLocation.replace(/^s3:\/\/[^/]+\//, '')))!);
    expect(plan.targets.map((t: { key: string }) => t.key)).toEqual([`${A}/eu-west-1`, `${B}/eu-west-1`]);
    expect(await remaining(cloud)).toEqual(before);
  });
});
