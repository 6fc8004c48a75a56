/**
 * No window between the in-use scan and a deletion: the sweep scans again before the deletion
 * phase and before each batch when the last scan is older than `rescanAfterMs`, and a resumed run
 * scans at its start. The rollback case (an old image deployed again after the plan), a rescan
 * during deletion, a rescan that fails, and a resumed run, on the ECR emulator through the real
 * SDK, with a fake clock moved where a long prompt or a slow run would spend the time.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileCheckpointStore } from '../../lib/adapters/checkpoint-file.js';
import { DEFAULT_IN_USE_RESCAN_AFTER_MS, DEFAULT_IN_USE_SETTINGS } from '../../lib/core/in-use-settings.js';
import type { Plan } from '../../lib/core/plan-model.js';
import type { SweepResult } from '../../lib/core/result-model.js';
import type { RuleSet } from '../../lib/core/rules-model.js';
import { runSweep } from '../../lib/engine/sweep.js';
import { startFixture, type EmulatorFixture } from './support/emulator.js';
import { HOST, accessDenied, ecs, fixedReader, scriptedReader } from './support/in-use.js';
import { ruleSet, taggedOlderThan, untaggedOlderThan } from './support/rules.js';
import { ecrRegistry } from '../../lib/adapters/ecr-registry-connector.js';

const ROLLBACK = 'ECS service prod/api (task definition api:41)';
const PAST_BOUND = DEFAULT_IN_USE_RESCAN_AFTER_MS + 60_000;
const RULES: RuleSet = {
  ...ruleSet([taggedOlderThan(1, ['*'], 'old-tagged'), untaggedOlderThan(1, 'old-untagged')]),
  inUse: { ...DEFAULT_IN_USE_SETTINGS },
};

const fixtures: EmulatorFixture[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const f of fixtures.splice(0)) {
    f.ecr.destroy();
    await f.emulator.stop();
  }
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function start(): Promise<EmulatorFixture> {
  const f = await startFixture({
    state: {
      repositories: [
        {
          name: 'app',
          images: [
            { tags: ['v1'], pushedAt: '-30d' },
            { tags: ['v2'], pushedAt: '-30d' },
            { tags: ['v3'], pushedAt: '-30d' },
            { tags: ['multi'], pushedAt: '-30d', children: [{}, {}] },
          ],
        },
        { name: 'web', images: [{ tags: ['w1'], pushedAt: '-30d' }, { tags: ['w2'], pushedAt: '-30d' }] },
      ],
    },
  });
  fixtures.push(f);
  return f;
}

function digest(f: EmulatorFixture, repository: string, tag: string): string {
  return f.emulator.images(repository).find((i) => i.imageTags.includes(tag))!.imageDigest;
}

function present(f: EmulatorFixture, repository: string): Set<string> {
  return new Set(f.emulator.images(repository).map((i) => i.imageDigest));
}

function outcomeOf(result: SweepResult, repository: string, imageDigest: string) {
  return result.repositories.find((r) => r.repositoryName === repository)!.images.find((i) => i.imageDigest === imageDigest)!;
}

function lambdaNone() {
  return fixedReader('lambda', 'Lambda', []);
}

describe('rescans before deleting (emulator)', () => {
  it('the rollback case: an old image deployed again after the plan is not deleted, and the result says why; the rest is deleted', async () => {
    const f = await start();
    const v3 = digest(f, 'app', 'v3');
    const multi = digest(f, 'app', 'multi');
    const children = f.emulator.images('app').find((i) => i.imageDigest === multi)!.childDigests!;
    // The first scan sees nothing in use; by the time of the rescan, v3 is deployed again and a task runs one platform of multi.
    const reader = scriptedReader('ecs', 'ECS (all clusters)', (n) =>
      n === 1 ? [] : [ecs(ROLLBACK, `${HOST}/app:v3`), ecs('ECS task prod/3f2a (task definition web:7)', `${HOST}/app@${children[0]}`)],
    );
    let now = Date.now();
    let planned: Plan | undefined;
    const { result } = await runSweep(
      {
        registry: ecrRegistry(f.ecr),
        clock: () => now,
        inUse: { readers: [reader, lambdaNone()] },
        planSink: async (plan) => {
          planned = plan;
          // A person reads the plan at the prompt for a while.
          now += PAST_BOUND;
        },
      },
      { ruleSet: RULES, mode: 'apply' },
    );
    // The plan was made before the rollback: it meant to delete all of it.
    expect(planned!.repositories.find((r) => r.repositoryName === 'app')!.images.every((i) => i.decision === 'delete')).toBe(true);
    expect(reader.scans).toBe(2);

    expect(outcomeOf(result, 'app', v3).outcome).toEqual({ status: 'skipped', reason: `in use since the plan: ${ROLLBACK}` });
    // The child in use keeps its index, and the index its other child.
    expect(outcomeOf(result, 'app', multi).outcome).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/^in use since the plan: ECS task prod\/3f2a \(task definition web:7\) \(tied to in-use sha256:/) });
    expect(outcomeOf(result, 'app', children[1]!).outcome.status).toBe('skipped');
    const left = present(f, 'app');
    for (const kept of [v3, multi, ...children]) expect(left.has(kept)).toBe(true);
    expect(left.size).toBe(4);
    expect(present(f, 'web').size).toBe(0);
    expect(result.totals.deleted).toBe(4);
    expect(result.inUse!.rescans).toBe(1);
    expect(planned!.inUse!.rescans).toBe(0);
    expect(Date.parse(result.inUse!.scannedAt)).toBe(now);
  });

  it('a fresh scan is not repeated: within the bound, the sweep deletes on the first scan', async () => {
    const f = await start();
    const reader = fixedReader('ecs', 'ECS (all clusters)', []);
    const { result } = await runSweep({ registry: ecrRegistry(f.ecr), inUse: { readers: [reader, lambdaNone()] } }, { ruleSet: RULES, mode: 'apply' });
    expect(reader.scans).toBe(1);
    expect(result.inUse!.rescans).toBe(0);
    expect(result.totals.deleted).toBe(8);
  });

  it('scans again before a batch when the last scan aged past the bound during deletion', async () => {
    const f = await start();
    const w1 = digest(f, 'web', 'w1');
    const reader = scriptedReader('ecs', 'ECS (all clusters)', (n) => (n === 1 ? [] : [ecs(ROLLBACK, `${HOST}/web@${w1}`)]));
    let now = Date.now();
    const { result } = await runSweep(
      {
        registry: ecrRegistry(f.ecr),
        clock: () => now,
        inUse: { readers: [reader, lambdaNone()] },
        // Each settled batch takes longer than the bound.
        onProgress: (event) => {
          if (event.phase === 'delete' && event.imagesDone > 0) now += PAST_BOUND;
        },
      },
      { ruleSet: RULES, mode: 'apply', concurrency: 1 },
    );
    expect(reader.scans).toBeGreaterThanOrEqual(2);
    expect(result.inUse!.rescans).toBe(reader.scans - 1);
    expect(outcomeOf(result, 'web', w1).outcome).toEqual({ status: 'skipped', reason: `in use since the plan: ${ROLLBACK}` });
    expect(present(f, 'web')).toEqual(new Set([w1]));
    // app went first, before anything was in use.
    expect(present(f, 'app').size).toBe(0);
  });

  it('a rescan that fails stops deletion in the registry: nothing more is deleted, the source is reported failed', async () => {
    const f = await start();
    const reader = scriptedReader('ecs', 'ECS (all clusters)', (n) => (n === 1 ? [] : accessDenied()));
    let now = Date.now();
    const { result } = await runSweep(
      { registry: ecrRegistry(f.ecr), clock: () => now, inUse: { readers: [reader, lambdaNone()] }, planSink: async () => void (now += PAST_BOUND) },
      { ruleSet: RULES, mode: 'apply' },
    );
    expect(f.emulator.stats().requests.BatchDeleteImage ?? 0).toBe(0);
    expect(present(f, 'app').size).toBe(6);
    expect(result.totals.deleted).toBe(0);
    expect(result.abortedReason).toMatch(/^in-use source ECS \(all clusters\) could not be read \(AccessDeniedException: .*\(cluster prod\)\): nothing more is deleted in this registry$/);
    for (const repository of result.repositories) {
      for (const image of repository.images) expect(image.outcome).toEqual({ status: 'skipped', reason: `aborted: ${result.abortedReason}` });
    }
    expect(result.inUse!.sources.find((s) => s.source === 'ecs')).toMatchObject({ status: 'failed', error: { code: 'AccessDeniedException' } });
    expect(result.inUse!.rescans).toBe(1);
    // Stopped, not finished: a later run continues.
    expect(result.remainingRepositories).toEqual(['app', 'web']);
  });

  it('a rescan that fails part-way stops the batches still to come', async () => {
    const f = await start();
    const reader = scriptedReader('ecs', 'ECS (all clusters)', (n) => (n === 1 ? [] : accessDenied()));
    let now = Date.now();
    const { result } = await runSweep(
      {
        registry: ecrRegistry(f.ecr),
        clock: () => now,
        inUse: { readers: [reader, lambdaNone()] },
        onProgress: (event) => {
          if (event.phase === 'delete' && event.imagesDone > 0) now += PAST_BOUND;
        },
      },
      { ruleSet: RULES, mode: 'apply', concurrency: 1 },
    );
    expect(result.totals.deleted).toBeGreaterThan(0);
    expect(present(f, 'web').size).toBe(2);
    expect(result.abortedReason).toContain('could not be read');
    expect(result.repositories.find((r) => r.repositoryName === 'web')!.images.every((i) => i.outcome.status === 'skipped')).toBe(true);
  });

  it('a resumed run scans at its start and does not delete from its stored plan an image that became in use', async () => {
    const f = await start();
    const v2 = digest(f, 'app', 'v2');
    const dir = await mkdtemp(join(tmpdir(), 'in-use-resume-'));
    dirs.push(dir);
    const checkpoint = new FileCheckpointStore(join(dir, 'checkpoint.json'));
    const stop = new AbortController();
    const first = await runSweep(
      { registry: ecrRegistry(f.ecr), checkpoint, inUse: { readers: [fixedReader('ecs', 'ECS (all clusters)', []), lambdaNone()] }, planSink: async () => stop.abort('SIGTERM') },
      { ruleSet: RULES, mode: 'apply', signal: stop.signal, runId: 'run-1' },
    );
    expect(first.result.totals.deleted).toBe(0);
    expect(first.result.remainingRepositories).toEqual(['app', 'web']);

    // Before the next run, v2 is deployed again.
    const reader = fixedReader('ecs', 'ECS (all clusters)', [ecs(ROLLBACK, `${HOST}/app:v2`)]);
    const second = await runSweep({ registry: ecrRegistry(f.ecr), checkpoint, inUse: { readers: [reader, lambdaNone()] } }, { ruleSet: RULES, mode: 'apply' });
    expect(second.result.runId).toBe('run-1');
    expect(reader.scans).toBe(1);
    // The stored plan (made when nothing was in use) is executed, not remade: v2 is still a planned deletion.
    expect(second.plan.repositories.find((r) => r.repositoryName === 'app')!.images.find((i) => i.imageDigest === v2)!.decision).toBe('delete');
    expect(outcomeOf(second.result, 'app', v2).outcome).toEqual({ status: 'skipped', reason: `in use since the plan: ${ROLLBACK}` });
    expect(present(f, 'app')).toEqual(new Set([v2]));
    expect(present(f, 'web').size).toBe(0);
  });

  it('a resumed run whose scan fails blocks its stored plans', async () => {
    const f = await start();
    const dir = await mkdtemp(join(tmpdir(), 'in-use-resume-'));
    dirs.push(dir);
    const checkpoint = new FileCheckpointStore(join(dir, 'checkpoint.json'));
    const stop = new AbortController();
    await runSweep(
      { registry: ecrRegistry(f.ecr), checkpoint, inUse: { readers: [fixedReader('ecs', 'ECS (all clusters)', []), lambdaNone()] }, planSink: async () => stop.abort('SIGTERM') },
      { ruleSet: RULES, mode: 'apply', signal: stop.signal, runId: 'run-1' },
    );
    const failing = scriptedReader('ecs', 'ECS (all clusters)', () => accessDenied());
    const second = await runSweep({ registry: ecrRegistry(f.ecr), checkpoint, inUse: { readers: [failing, lambdaNone()] } }, { ruleSet: RULES, mode: 'apply' });
    expect(second.result.runId).toBe('run-1');
    expect(second.result.repositories.map((r) => r.status)).toEqual(['blocked', 'blocked']);
    expect(second.result.repositories.every((r) => r.statusReason!.startsWith('in-use source ECS (all clusters) could not be read'))).toBe(true);
    expect(f.emulator.stats().requests.BatchDeleteImage ?? 0).toBe(0);
  });
});
