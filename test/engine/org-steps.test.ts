/**
 * The organization steps (lib/engine/org-steps.ts) on in-memory fakes of their ports
 * (lib/engine/org-ports.ts): what Start records for a target that cannot be listed, that every
 * target access a step opens is closed, how a shard that cannot be planned or applied is written
 * (one failShard for both steps), that RecordPlan writes the plan before the apply lanes, and that
 * RecordPlan and Finish move every shard's images into the image part store as they read the parts.
 * The same steps on S3 and the emulator, through the real handlers: test/functions/org-sweep.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { ecrRegistry } from '../../lib/adapters/ecr-registry-connector.js';
import { renderResultCsv } from '../../lib/core/report-csv.js';
import type { PlannedImage } from '../../lib/core/plan-model.js';
import type { ResultImage } from '../../lib/core/result-model.js';
import type { OrgRunManifest, PlanPart, ResultPart } from '../../lib/core/org-run.js';
import type { Lane, Shard, ShardRef } from '../../lib/core/org-shards.js';
import type { RuleSet } from '../../lib/core/rules-model.js';
import { targetKey, type Target } from '../../lib/core/targets.js';
import { TargetError } from '../../lib/engine/errors.js';
import type { InUseScanOutcome } from '../../lib/engine/in-use-scan.js';
import type { OrgRunRef, OrgRunStore, OrgStepDeps, SharedInUseScanCache, TargetAccess } from '../../lib/engine/org-ports.js';
import { applyShard, failShard, finishOrgRun, planShard, recordPlan, startOrgRun, type ShardOutput } from '../../lib/engine/org-steps.js';
import type { Checkpoint, ImagePartStore, JournalRecord, SweepLogger } from '../../lib/engine/types.js';
import { digestOf, FakeEcr } from './support/fake-ecr.js';
import { fixedReader } from './support/in-use.js';
import { DAY, ruleSet, untaggedOlderThan } from './support/rules.js';

const A = '111111111111';
const B = '222222222222';
const C = '333333333333';
const RUN: OrgRunRef = { runId: '20261205T000000Z-1a2b3c4d', bucket: 'work', prefix: 'ecr-sweeper' };
const RULES: RuleSet = ruleSet([untaggedOlderThan(7)], { mode: 'apply' });
const SETTINGS: OrgRunManifest['settings'] = { maxRepositoriesPerShard: 1, lanesPerTarget: 1, concurrency: 2 };

/** A run store in memory, JSON in and out as on S3; `events` says what was written, in order. */
class MemoryRunStore implements OrgRunStore {
  readonly objects = new Map<string, string>();
  readonly events: string[] = [];
  failWrites: Error | undefined;
  readonly lanesKey = 'lanes';
  readonly applyLanesKey = 'apply-lanes';

  async writeManifest(manifest: OrgRunManifest): Promise<void> {
    this.put('manifest', manifest);
  }
  async readManifest(): Promise<OrgRunManifest> {
    return this.require('manifest');
  }
  async writeShards(shards: readonly Shard[], lanes: readonly Lane[]): Promise<void> {
    for (const shard of shards) this.put(`shard/${shard.shardId}`, shard);
    this.put(this.lanesKey, lanes);
  }
  async readShard(ref: ShardRef): Promise<Shard> {
    return this.require(`shard/${ref.shardId}`);
  }
  async writeApplyLanes(lanes: readonly Lane[]): Promise<void> {
    this.put(this.applyLanesKey, lanes);
  }
  async readApplyLanes(): Promise<Lane[] | null> {
    return this.get(this.applyLanesKey);
  }
  async writePlanPart(part: PlanPart): Promise<void> {
    this.put(`plan/${part.shardId}`, part);
  }
  async readPlanPart(ref: ShardRef): Promise<PlanPart | null> {
    return this.get(`plan/${ref.shardId}`);
  }
  async writeResultPart(part: ResultPart): Promise<void> {
    this.put(`result/${part.shardId}`, part);
  }
  async readResultPart(ref: ShardRef): Promise<ResultPart | null> {
    return this.get(`result/${ref.shardId}`);
  }

  private put(key: string, value: unknown): void {
    if (this.failWrites) throw this.failWrites;
    this.events.push(`write ${key}`);
    this.objects.set(key, JSON.stringify(value));
  }
  private get<T>(key: string): T | null {
    const text = this.objects.get(key);
    return text === undefined ? null : (JSON.parse(text) as T);
  }
  private require<T>(key: string): T {
    const value = this.get<T>(key);
    if (value === null) throw new Error(`${key} does not exist`);
    return value;
  }
}

class MemoryScanCache implements SharedInUseScanCache {
  readonly stored: InUseScanOutcome[] = [];
  async scan(request: { now: number; maxAgeMs: number }, scanFresh: () => Promise<InUseScanOutcome>): Promise<InUseScanOutcome> {
    const last = this.stored.at(-1);
    if (last && last.startedAt >= request.now - request.maxAgeMs) return last;
    const fresh = await scanFresh();
    await this.store(fresh);
    return fresh;
  }
  async store(outcome: InUseScanOutcome): Promise<void> {
    this.stored.push(outcome);
  }
}

/** What a target answers through its fake access. */
interface FakeTarget {
  names?: string[];
  listError?: Error;
  readersError?: Error;
}

interface Fakes {
  deps: OrgStepDeps;
  store: MemoryRunStore;
  cache: MemoryScanCache;
  /** `open <target> <runId>` and `close <target>`, in order. */
  accesses: string[];
  logged: { message: string; fields: Record<string, unknown> | undefined }[];
}

function fakes(targets: Record<string, FakeTarget>): Fakes {
  const store = new MemoryRunStore();
  const cache = new MemoryScanCache();
  const accesses: string[] = [];
  const logged: Fakes['logged'] = [];
  const logger: SweepLogger = {
    debug: () => {},
    info: () => {},
    warn: () => {},
    error: (message, fields) => void logged.push({ message, fields: fields as Record<string, unknown> | undefined }),
  };
  const checkpoints = new Map<string, Checkpoint>();
  const journals = new Map<string, JournalRecord[]>();
  const deps: OrgStepDeps = {
    logger,
    clock: () => Date.parse('2026-12-05T00:00:00Z'),
    runStore: (run) => {
      expect(run).toEqual(RUN);
      return store;
    },
    inUseCache: () => cache,
    checkpointStore: (_run, shard) => ({
      load: async () => checkpoints.get(shard.shardId) ?? null,
      save: async (c) => void checkpoints.set(shard.shardId, c),
      clear: async () => void checkpoints.delete(shard.shardId),
    }),
    journalStore: (_run, shard) => ({
      where: `memory:${shard.shardId}`,
      append: async (_runId, records) => void journals.set(shard.shardId, [...(journals.get(shard.shardId) ?? []), ...records]),
      read: async () => journals.get(shard.shardId) ?? [],
    }),
    target: (target: Target, runId: string): TargetAccess => {
      const key = targetKey(target);
      const fake = targets[key];
      if (!fake) throw new Error(`no fake for ${key}`);
      accesses.push(`open ${key} ${runId}`);
      return {
        listRepositoryNames: async () => {
          if (fake.listError) throw fake.listError;
          return fake.names ?? [];
        },
        inUseReaders: () => {
          if (fake.readersError) throw fake.readersError;
          return [fixedReader('ecs', 'ECS (all clusters)', []), fixedReader('lambda', 'Lambda', [])];
        },
        sweepDeps: () => {
          throw new Error('these tests never reach a sweep');
        },
        close: () => void accesses.push(`close ${key}`),
      };
    },
    fileReaders: () => [],
  };
  return { deps, store, cache, accesses, logged };
}

const target = (accountId: string, region = 'eu-west-1'): Target => ({ accountId, region, roleArn: `arn:aws:iam::${accountId}:role/EcrSweeperTarget` });

function accessDenied(): Error {
  return Object.assign(new Error('User is not authorized to perform: ecr:DescribeRepositories'), { name: 'AccessDeniedException' });
}

/** Start over A (two repositories, so two shards) and B (cannot be listed), with C failed at resolution. */
async function started(f: Fakes, ruleSetOfRun: RuleSet = RULES) {
  return startOrgRun(f.deps, {
    run: RUN,
    ruleSet: ruleSetOfRun,
    resolveTargets: async () => ({
      targets: [target(A), target(B)],
      failed: [{ accountId: C, region: 'eu-west-1', error: { code: 'AccessDenied', message: 'cannot assume role' } }],
    }),
    settings: SETTINGS,
  });
}

const TARGETS = { [`${A}/eu-west-1`]: { names: ['app/web', 'app/api'] }, [`${B}/eu-west-1`]: { listError: accessDenied() } };

describe('startOrgRun on fake ports', () => {
  it('records a target that cannot be listed as failed, naming account and Region with its AWS code; the other is sharded', async () => {
    const f = fakes(TARGETS);
    const output = await started(f);
    expect(output).toEqual({ run: RUN, lanesKey: 'lanes', mode: 'apply', targets: 1, failedTargets: 2, shards: 2 });
    const manifest = await f.store.readManifest();
    expect(manifest.targets.map(targetKey)).toEqual([`${A}/eu-west-1`]);
    expect(manifest.inUseTargets.map(targetKey)).toEqual([`${A}/eu-west-1`, `${B}/eu-west-1`]);
    expect(manifest.failedTargets).toEqual([
      { accountId: C, region: 'eu-west-1', error: { code: 'AccessDenied', message: 'cannot assume role' } },
      {
        accountId: B,
        region: 'eu-west-1',
        error: { code: 'AccessDeniedException', message: `account ${B}, eu-west-1: DescribeRepositories failed: AccessDeniedException: User is not authorized to perform: ecr:DescribeRepositories` },
      },
    ]);
    expect(f.logged.map((l) => l.message)).toEqual(['target could not be listed']);
    // The shards, then the lanes, then the manifest: nothing names a shard not yet written.
    expect(f.store.events).toEqual([`write shard/${A}-eu-west-1-0`, `write shard/${A}-eu-west-1-1`, 'write lanes', 'write manifest']);
  });

  it('stores one in-use scan of every target (and a failing source for the unresolved one) for the shards', async () => {
    const f = fakes(TARGETS);
    await started(f);
    expect(f.cache.stored).toHaveLength(1);
    const sources = f.cache.stored[0]!.sources.map((s) => `${s.status} ${s.label}`);
    expect(sources).toEqual(expect.arrayContaining([`scanned ECS (all clusters) in ${A}/eu-west-1`, `scanned ECS (all clusters) in ${B}/eu-west-1`, `failed in-use sources in account ${C}, eu-west-1`]));
    expect((await f.store.readManifest()).inUseSources).toEqual(f.cache.stored[0]!.sources);
  });

  it('a target whose role cannot be assumed is failed with the role error as it is (its AWS code, named once)', async () => {
    const role = new TargetError(B, 'eu-west-1', 'AccessDenied', `account ${B}, eu-west-1: cannot assume role arn:aws:iam::${B}:role/EcrSweeperTarget: AccessDenied`);
    const f = fakes({ ...TARGETS, [`${B}/eu-west-1`]: { listError: Object.assign(new Error('could not load credentials'), { cause: role }) } });
    await started(f);
    expect((await f.store.readManifest()).failedTargets.at(-1)).toEqual({ accountId: B, region: 'eu-west-1', error: { code: 'AccessDenied', message: role.message } });
  });

  it('opens one access per target for the step, named by the run, and closes each once', async () => {
    const f = fakes(TARGETS);
    await started(f);
    expect(f.accesses).toEqual([`open ${A}/eu-west-1 ${RUN.runId}`, `open ${B}/eu-west-1 ${RUN.runId}`, `close ${A}/eu-west-1`, `close ${B}/eu-west-1`]);
  });

  it('closes every access it opened when the step fails midway, and writes no manifest', async () => {
    const f = fakes({ ...TARGETS, [`${B}/eu-west-1`]: { readersError: new Error('reader wiring broke') } });
    await expect(started(f)).rejects.toThrow('reader wiring broke');
    expect(f.accesses.filter((a) => a.startsWith('close'))).toEqual([`close ${A}/eu-west-1`, `close ${B}/eu-west-1`]);
    expect(f.store.events).toEqual([]);
  });
});

describe('a shard that cannot be planned or applied', () => {
  const SHARD: ShardRef = { shardId: `${A}-eu-west-1-0`, targetKey: `${A}/eu-west-1` };
  // Another rule set than Start's: the step refuses it before reaching the target.
  const CHANGED = ruleSet([untaggedOlderThan(30)], { mode: 'apply' });
  const steps = [
    { step: 'plan', run: planShard, part: `plan/${SHARD.shardId}`, log: 'shard could not be planned' },
    { step: 'apply', run: applyShard, part: `result/${SHARD.shardId}`, log: 'shard could not be applied' },
  ] as const;

  it.each(steps)('$step: writes a failed part naming account and Region, answers the same failure, reaches no target', async ({ run, part, log }) => {
    const f = fakes(TARGETS);
    await started(f);
    f.accesses.length = 0;
    const output = await run(f.deps, { run: RUN, shard: SHARD, ruleSet: CHANGED, deadline: Date.now() + 60_000 });
    const error = { code: 'UnknownError', message: `account ${A}, eu-west-1: the rules changed since run ${RUN.runId} started (test-rules.yml): this shard is not run under other rules than the run's plan` };
    expect(output).toEqual({ ...SHARD, status: 'failed', error });
    expect(JSON.parse(f.store.objects.get(part)!)).toEqual({ ...SHARD, target: { accountId: A, region: 'eu-west-1' }, status: 'failed', error });
    expect(f.logged.at(-1)).toEqual({ message: log, fields: { shard: SHARD.shardId, error } });
    expect(f.accesses).toEqual([]);
  });

  it('apply: a shard without a recorded plan is failed ShardNotPlanned, and nothing of it is applied', async () => {
    const f = fakes(TARGETS);
    await started(f);
    f.accesses.length = 0;
    const output = await applyShard(f.deps, { run: RUN, shard: SHARD, ruleSet: RULES, deadline: Date.now() + 60_000 });
    expect(output).toMatchObject({ status: 'failed', error: { code: 'ShardNotPlanned' } });
    // The step's own TargetError already names the target: its code and message as they are, not its class, not said twice.
    expect(output.error!.message).toBe(`account ${A}, eu-west-1: shard ${SHARD.shardId} has no recorded plan: nothing of it is applied`);
    expect(JSON.parse(f.store.objects.get(`result/${SHARD.shardId}`)!)).toMatchObject({ status: 'failed', error: output.error });
    expect(f.accesses).toEqual([]);
  });

  it.each(steps)('$step: the same error gives the same failure in both steps, in its own part', async ({ step, part }) => {
    const f = fakes({});
    const answer: ShardOutput = await failShard(f.deps, f.store, step, SHARD, { accountId: A, region: 'eu-west-1' }, accessDenied());
    const error = { code: 'AccessDeniedException', message: `account ${A}, eu-west-1: User is not authorized to perform: ecr:DescribeRepositories` };
    expect(answer).toEqual({ ...SHARD, status: 'failed', error });
    expect([...f.store.objects.keys()]).toEqual([part]);
  });

  it.each(steps)('$step: a wrapped AWS error keeps its AWS code, and a TargetError inside (a role not assumable) is used as it is', async ({ step }) => {
    const f = fakes({});
    const wrapped = Object.assign(new Error('BatchGetImage failed: throttled'), { name: 'EcrCallError', code: 'ThrottlingException' });
    const role = new TargetError(A, 'eu-west-1', 'AccessDenied', `account ${A}, eu-west-1: cannot assume role arn:aws:iam::${A}:role/EcrSweeperTarget`);
    const viaRole = new Error('ECR call failed', { cause: role });
    const ref = { accountId: A, region: 'eu-west-1' };
    expect((await failShard(f.deps, f.store, step, SHARD, ref, wrapped)).error).toEqual({ code: 'ThrottlingException', message: `account ${A}, eu-west-1: BatchGetImage failed: throttled` });
    expect((await failShard(f.deps, f.store, step, SHARD, ref, viaRole)).error).toEqual({ code: 'AccessDenied', message: role.message });
  });

  it.each(steps)('$step: when the failed part cannot be written, the step throws the store error after logging the original', async ({ step }) => {
    const f = fakes({});
    f.store.failWrites = new Error('s3 is down');
    await expect(failShard(f.deps, f.store, step, SHARD, { accountId: A, region: 'eu-west-1' }, accessDenied())).rejects.toThrow('s3 is down');
    expect(f.logged).toHaveLength(1);
    expect(f.logged[0]!.fields).toMatchObject({ error: { code: 'AccessDeniedException' } });
  });
});

describe('recordPlan on fake ports', () => {
  it('writes the run plan before the apply lanes; a plan that cannot be written leaves no apply lanes', async () => {
    const f = fakes(TARGETS);
    await started(f);
    f.store.events.length = 0;
    const output = await recordPlan(f.deps, {
      run: RUN,
      writePlan: async (plan) => {
        f.store.events.push(`plan ${plan.runId}`);
        return 'memory:plan.json';
      },
    });
    expect(f.store.events).toEqual([`plan ${RUN.runId}`, 'write apply-lanes']);
    // No shard wrote a plan part: both are failed, so nothing is applied.
    expect(output).toEqual({ run: RUN, apply: false, applyLanesKey: 'apply-lanes', planLocation: 'memory:plan.json', failedShards: 2 });

    const g = fakes(TARGETS);
    await started(g);
    g.store.events.length = 0;
    await expect(recordPlan(g.deps, { run: RUN, writePlan: () => Promise.reject(new Error('report bucket denied')) })).rejects.toThrow('report bucket denied');
    expect(g.store.events).toEqual([]);
    expect(await g.store.readApplyLanes()).toBeNull();
  });
});

/** An image part store in memory, JSON in and out as on disk; `log` says what was written and read, in order. */
class MemoryImageParts implements ImagePartStore {
  readonly files = new Map<string, string>();
  readonly log: string[] = [];
  writePlanImages(key: string, images: readonly PlannedImage[]): void {
    this.write(`plan ${key}`, images);
  }
  readPlanImages(key: string): PlannedImage[] {
    return this.read(`plan ${key}`) as PlannedImage[];
  }
  writeResultImages(key: string, images: readonly ResultImage[]): void {
    this.write(`result ${key}`, images);
  }
  readResultImages(key: string): ResultImage[] {
    return this.read(`result ${key}`) as ResultImage[];
  }
  written(): string[] {
    return this.log.filter((l) => l.startsWith('write ')).map((l) => l.slice('write '.length));
  }
  private write(file: string, images: readonly unknown[]): void {
    this.log.push(`write ${file}`);
    this.files.set(file, JSON.stringify(images));
  }
  private read(file: string): unknown[] {
    const text = this.files.get(file);
    if (text === undefined) throw new Error(`no image part ${file}`);
    this.log.push(`read ${file}`);
    return JSON.parse(text) as unknown[];
  }
}

describe('RecordPlan and Finish with an image part store', () => {
  const NOW = Date.parse('2026-12-05T00:00:00Z');
  const SHARDS = [`${A}-eu-west-1-0`, `${A}-eu-west-1-1`];
  const key = (kind: string, shard: string, repository: string) => `${kind}\u0000${shard}\u0000${repository}`;

  /** Start over A alone: a target failed at resolution would block deletion everywhere (fail closed). */
  async function startA(f: Fakes, rules: RuleSet = RULES) {
    await startOrgRun(f.deps, { run: RUN, ruleSet: rules, resolveTargets: async () => ({ targets: [target(A)], failed: [] }), settings: SETTINGS });
  }

  /** A run over A's two repositories, a shard each, planned through a fake ECR. */
  async function appliedRun() {
    const f = fakes(TARGETS);
    const ecr = new FakeEcr();
    for (const repository of ['app/web', 'app/api']) {
      ecr.add(
        repository,
        ...[40, 30, 20].map((days) => ({ digest: digestOf(`${repository}-old-${days}`), pushedAt: NOW - days * DAY, size: days * 1000 })),
        { digest: digestOf(`${repository}-new`), pushedAt: NOW - DAY },
        { digest: digestOf(`${repository}-tagged`), tags: ['v1'], pushedAt: NOW - 90 * DAY },
      );
    }
    const open = f.deps.target;
    const deps: OrgStepDeps = { ...f.deps, target: (t, runId) => ({ ...open(t, runId), sweepDeps: () => ({ registry: ecrRegistry(ecr.client) }) }) };
    await startA(f);
    const shards = (await f.store.readManifest()).shards;
    expect(shards.map((s) => s.shardId)).toEqual(SHARDS);
    const deadline = Date.now() + 60_000;
    for (const s of shards) expect(await planShard(deps, { run: RUN, shard: s, ruleSet: RULES, deadline })).toMatchObject({ status: 'planned' });
    return { f, deps, ecr, shards, deadline };
  }

  /** RecordPlan's plan.json as the report store writes it. */
  async function recordedPlan(deps: OrgStepDeps): Promise<string> {
    let written = '';
    await recordPlan(deps, {
      run: RUN,
      writePlan: async (plan) => {
        written = JSON.stringify(plan, null, 2);
        return 'memory:plan.json';
      },
    });
    return written;
  }

  /** Finish's result.json and CSV, and its failures. */
  async function finished(deps: OrgStepDeps): Promise<string[]> {
    const { result, failures } = await finishOrgRun(deps, { run: RUN });
    return [JSON.stringify(result, null, 2), renderResultCsv(result), JSON.stringify(failures)];
  }

  /** The store's plan and result part reads, each with the image files written before it. */
  function watchReads(f: Fakes, parts: MemoryImageParts): { read: string; writtenBefore: string[] }[] {
    const reads: { read: string; writtenBefore: string[] }[] = [];
    const readPlanPart = f.store.readPlanPart.bind(f.store);
    const readResultPart = f.store.readResultPart.bind(f.store);
    f.store.readPlanPart = async (ref) => (reads.push({ read: `plan ${ref.shardId}`, writtenBefore: parts.written() }), readPlanPart(ref));
    f.store.readResultPart = async (ref) => (reads.push({ read: `result ${ref.shardId}`, writtenBefore: parts.written() }), readResultPart(ref));
    return reads;
  }

  it('RecordPlan moves each shard plan\'s images to the store as it reads the part, and writes the same plan.json as without a store', async () => {
    const { f, deps } = await appliedRun();
    const without = await recordedPlan(deps);
    const parts = new MemoryImageParts();
    const reads = watchReads(f, parts);
    const withParts = await recordedPlan({ ...deps, imageParts: parts });

    expect(withParts).toBe(without);
    expect(JSON.parse(withParts).repositories.map((r: { images: unknown[] }) => r.images.length)).toEqual([5, 5]);
    // Each part's images are in the store before the next part is read: one shard's in memory at a time.
    expect(reads).toEqual([
      { read: `plan ${SHARDS[0]}`, writtenBefore: [] },
      { read: `plan ${SHARDS[1]}`, writtenBefore: [`plan ${key('plan-part', SHARDS[0]!, 'app/api')}`] },
    ]);
    // Only the plans: the dry-run results are Finish's.
    expect(parts.written()).toEqual([`plan ${key('plan-part', SHARDS[0]!, 'app/api')}`, `plan ${key('plan-part', SHARDS[1]!, 'app/web')}`]);
    // plan.json read every repository's images back from the store.
    expect(parts.log.filter((l) => l.startsWith('read plan '))).toHaveLength(2 + 2);
  });

  it('Finish moves each shard\'s images to the store as it reads the parts, and writes the same result and CSV as without a store (applied)', async () => {
    const { f, deps, shards, deadline } = await appliedRun();
    await recordedPlan(deps);
    for (const s of shards) expect(await applyShard(deps, { run: RUN, shard: s, ruleSet: RULES, deadline })).toMatchObject({ status: 'completed' });
    const without = await finished(deps);
    const parts = new MemoryImageParts();
    const reads = watchReads(f, parts);
    const withParts = await finished({ ...deps, imageParts: parts });

    expect(withParts).toEqual(without);
    expect(JSON.parse(withParts[0]!).totals).toMatchObject({ deleted: 6, failed: 0 });
    const plan = (shard: number, repository: string) => `plan ${key('plan-part', SHARDS[shard]!, repository)}`;
    const result = (shard: number, repository: string) => `result ${key('result-part', SHARDS[shard]!, repository)}`;
    expect(reads).toEqual([
      { read: `plan ${SHARDS[0]}`, writtenBefore: [] },
      { read: `plan ${SHARDS[1]}`, writtenBefore: [plan(0, 'app/api')] },
      { read: `result ${SHARDS[0]}`, writtenBefore: [plan(0, 'app/api'), plan(1, 'app/web')] },
      { read: `result ${SHARDS[1]}`, writtenBefore: [plan(0, 'app/api'), plan(1, 'app/web'), result(0, 'app/api')] },
    ]);
    // An applied shard's dry-run result is not kept: its result part is the one reported.
    expect(parts.written()).toEqual([plan(0, 'app/api'), plan(1, 'app/web'), result(0, 'app/api'), result(1, 'app/web')]);
    expect(parts.log.filter((l) => l.startsWith('read result '))).not.toHaveLength(0);
  });

  it('Finish of a dry run reports each shard from its plan part\'s dry-run result, kept in the store, the same as without a store', async () => {
    const f = fakes(TARGETS);
    const ecr = new FakeEcr().add('app/web', { digest: digestOf('web-old'), pushedAt: NOW - 30 * DAY }).add('app/api', { digest: digestOf('api-old'), pushedAt: NOW - 30 * DAY });
    const open = f.deps.target;
    const deps: OrgStepDeps = { ...f.deps, target: (t, runId) => ({ ...open(t, runId), sweepDeps: () => ({ registry: ecrRegistry(ecr.client) }) }) };
    const dryRules = ruleSet([untaggedOlderThan(7)], { mode: 'dry-run' });
    await startA(f, dryRules);
    for (const s of (await f.store.readManifest()).shards) await planShard(deps, { run: RUN, shard: s, ruleSet: dryRules, deadline: Date.now() + 60_000 });
    await recordedPlan(deps);
    const without = await finished(deps);
    const parts = new MemoryImageParts();
    const withParts = await finished({ ...deps, imageParts: parts });

    expect(withParts).toEqual(without);
    expect(JSON.parse(withParts[0]!).totals).toMatchObject({ wouldDelete: 2, deleted: 0 });
    expect(parts.written().filter((w) => w.startsWith('result '))).toEqual([`result ${key('plan-part', SHARDS[0]!, 'app/api')}`, `result ${key('plan-part', SHARDS[1]!, 'app/web')}`]);
    expect(ecr.deleteCalls).toEqual([]);
  });
});
