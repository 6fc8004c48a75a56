/**
 * Resuming a sweep: which stored plan a run may use (table), what the journal says about earlier
 * runs (table), and end to end on the emulator through the real SDK: a deadline shorter than the
 * listing still finishes the job over repeated runs, the maxDeletionsPerRun count carries over,
 * and the checkpoint exists after the first batch.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileCheckpointStore } from '../../lib/adapters/checkpoint-file.js';
import { FileJournalStore } from '../../lib/adapters/journal-file.js';
import type { RepositoryPlan } from '../../lib/core/plan-model.js';
import { mergeOutcome, summarizeJournal } from '../../lib/engine/journal.js';
import { decideResume, MAX_STORED_PLAN_AGE_MS } from '../../lib/engine/resume.js';
import { runSweep } from '../../lib/engine/sweep.js';
import type { Checkpoint, JournalRecord } from '../../lib/engine/types.js';
import { registryState, startFixture, type EmulatorFixture } from './support/emulator.js';
import { FakeEcr, digestOf } from './support/fake-ecr.js';
import { recordCommands } from './support/record-commands.js';
import { DAY, ruleSet, taggedOlderThan, untaggedOlderThan } from './support/rules.js';
import { ecrRegistry } from '../../lib/adapters/ecr-registry-connector.js';

const NOW_ISO = '2026-06-01T00:00:00.000Z';
const NOW = Date.parse(NOW_ISO);
const HOUR = 3_600_000;

/** An untagged image pushed 30 days before NOW (the rules delete it). */
function untagged(name: string): { digest: string; pushedAt: number; size: number } {
  return { digest: digestOf(name), pushedAt: NOW - 30 * DAY, size: 100 };
}

const PLAN: RepositoryPlan = {
  repositoryName: 'team/api',
  policy: 'test',
  status: 'planned',
  images: [],
  counts: { images: 0, delete: 0, keep: 0, transition: 0, bytesToFree: 0 },
};

function checkpoint(overrides: Partial<Checkpoint> = {}): Checkpoint {
  return {
    version: 2,
    runId: 'run-1',
    rulesHash: 'hash',
    finishedRepositories: ['team/a'],
    updatedAt: NOW_ISO,
    planNow: NOW_ISO,
    plannedRepositories: [{ plan: PLAN }],
    deletionsSent: 5,
    ...overrides,
  };
}

describe('decideResume', () => {
  it.each([
    ['no checkpoint', null, NOW, false, undefined],
    ['other rules', checkpoint({ rulesHash: 'other' }), NOW, false, undefined],
    ['a fresh plan', checkpoint(), NOW + HOUR, true, undefined],
    ['a plan a nightly run later (24 h)', checkpoint(), NOW + 24 * HOUR, true, undefined],
    ['a plan exactly at the bound', checkpoint(), NOW + MAX_STORED_PLAN_AGE_MS, true, undefined],
    ['a plan just past the bound', checkpoint(), NOW + MAX_STORED_PLAN_AGE_MS + 1, false, 'stored-plan-expired'],
    ['a plan from far in the future (clock went back)', checkpoint(), NOW - MAX_STORED_PLAN_AGE_MS - 1, false, 'stored-plan-expired'],
    ['a version 1 checkpoint (no plans, no age)', { version: 1, runId: 'run-1', rulesHash: 'hash', finishedRepositories: ['team/a'], updatedAt: NOW_ISO } as Checkpoint, NOW + 100 * HOUR, true, undefined],
  ])('%s', (_case, loaded, clock, resumes, warning) => {
    const decision = decideResume(loaded, 'hash', clock);
    expect(decision.state !== null).toBe(resumes);
    expect(decision.warning?.code).toBe(warning);
    if (decision.state) {
      expect(decision.state.runId).toBe('run-1');
      expect([...decision.state.finished]).toEqual(['team/a']);
    }
  });

  it('carries the stored plans, their time and the deletions already sent', () => {
    const state = decideResume(checkpoint(), 'hash', NOW + HOUR).state!;
    expect(state.planNow).toBe(NOW);
    expect([...state.plans.keys()]).toEqual(['team/api']);
    expect(state.deletionsSent).toBe(5);
  });

  it('bounds a stored plan at 36 h: more than a nightly schedule, less than two days', () => {
    expect(MAX_STORED_PLAN_AGE_MS).toBe(36 * HOUR);
  });
});

describe('summarizeJournal and mergeOutcome', () => {
  const line = (event: JournalRecord['event'], digest: string, extra: Record<string, unknown> = {}): JournalRecord =>
    ({ event, runId: 'run-1', at: NOW_ISO, repositoryName: 'r', imageDigest: digest, ...extra }) as JournalRecord;
  const journal = summarizeJournal([
    line('sending', 'a'),
    line('sending', 'b'),
    line('sending', 'c'),
    line('delete-answer', 'a', { answer: 'deleted' }),
    line('delete-answer', 'b', { answer: 'not-found', code: 'ImageNotFound' }),
    // c: sent, never answered (the run died during the call)
    line('sending', 'd'),
    line('delete-answer', 'd', { answer: 'refused', code: 'KmsError', message: 'key disabled' }),
    line('outcome', 'd', { outcome: { status: 'failed', code: 'KmsError', message: 'key disabled' } }),
    // e: its call failed (say, the answer was lost): it may have been deleted all the same
    line('sending', 'e'),
    line('delete-answer', 'e', { answer: 'call-failed', code: 'TimeoutError' }),
    { event: 'repository', runId: 'run-1', at: NOW_ISO, repositoryName: 'r', status: 'failed', error: { code: 'KmsError', message: 'key disabled' } },
  ]);

  it('folds the lines into deleted, unanswered and ended repositories', () => {
    expect([...journal.deleted.get('r')!]).toEqual(['a']);
    expect([...journal.unanswered.get('r')!]).toEqual(['c', 'e']);
    expect(journal.ended.get('r')).toMatchObject({ status: 'failed', error: { code: 'KmsError' } });
    expect(journal.ended.get('r')!.outcomes.get('d')).toEqual({ status: 'failed', code: 'KmsError', message: 'key disabled' });
  });

  it.each([
    ['deleted earlier, already gone now', 'a', { status: 'deleted', alreadyGone: true }, { status: 'deleted' }],
    ['deleted earlier, skipped now by the deadline', 'a', { status: 'skipped', reason: 'deadline' }, { status: 'deleted' }],
    ['deleted earlier, not acted on now', 'a', undefined, { status: 'deleted' }],
    ['in a call that died, gone now', 'c', { status: 'deleted', alreadyGone: true }, { status: 'deleted' }],
    ['in a call that failed, gone now', 'e', { status: 'deleted', alreadyGone: true }, { status: 'deleted' }],
    ['in a call that died, skipped now', 'c', { status: 'skipped', reason: 'deadline' }, { status: 'skipped', reason: 'deadline' }],
    ['already gone earlier too', 'b', { status: 'deleted', alreadyGone: true }, { status: 'deleted', alreadyGone: true }],
    ['unknown to the journal', 'z', { status: 'deleted' }, { status: 'deleted' }],
    ['unknown to the journal, not acted on', 'z', undefined, undefined],
  ] as const)('%s', (_case, digest, current, expected) => {
    expect(mergeOutcome(current, digest, 'r', journal)).toEqual(expected);
  });
});

const fixtures: EmulatorFixture[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(fixtures.splice(0).map((f) => f.emulator.stop()));
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sweep-resume-'));
  dirs.push(dir);
  return dir;
}

const GENERATE = { seed: 11, repositories: 12, imagesPerRepository: [15, 30] as [number, number] };
const RULES = ruleSet([untaggedOlderThan(7), taggedOlderThan(30, ['pr-*'], 'old-prs')]);

describe('resuming on the emulator', () => {
  it('repeated runs under a deadline shorter than the listing finish the job, as one run', async () => {
    const reference = await startFixture({ now: NOW_ISO, generate: GENERATE });
    fixtures.push(reference);
    const { result: undisturbed } = await runSweep({ registry: ecrRegistry(reference.ecr) }, { ruleSet: RULES, now: NOW, mode: 'apply' });
    expect(undisturbed.totals.deleted).toBeGreaterThan(50);

    // Every answer takes 120 ms: listing 12 repositories (DescribeImages, BatchGetImage) takes longer than a run may.
    const slow = await startFixture({ now: NOW_ISO, generate: GENERATE, latencyMs: 120 });
    fixtures.push(slow);
    const dir = await tempDir();
    const checkpoint = new FileCheckpointStore(join(dir, 'checkpoint.json'));
    const journal = new FileJournalStore(join(dir, 'journal.jsonl'));
    // Real time, starting at the emulator's frozen NOW, so the stored plan's age is real too.
    const offset = Date.now() - NOW;
    const clock = (): number => Date.now() - offset;

    const runs: Awaited<ReturnType<typeof runSweep>>[] = [];
    for (let i = 0; i < 10; i += 1) {
      const run = await runSweep(
        { registry: ecrRegistry(slow.ecr), clock, checkpoint, journal },
        { ruleSet: RULES, now: NOW, mode: 'apply', deadline: clock() + 600, concurrency: 4, runId: `attempt-${i}` },
      );
      runs.push(run);
      if (run.result.remainingRepositories.length === 0) break;
    }
    const first = runs[0]!.result;
    const last = runs.at(-1)!.result;
    // The first run was stopped while listing: some repositories were never listed.
    expect(first.stoppedByDeadline).toBe(true);
    expect(first.repositories.some((r) => r.statusReason?.startsWith('deadline reached before it was listed'))).toBe(true);
    expect(runs.length).toBeGreaterThan(1);
    expect(last.remainingRepositories).toEqual([]);
    expect(registryState(slow.emulator)).toEqual(registryState(reference.emulator));
    // One sweep: every run kept the first run's id, and the last result reports every deletion made by all of them.
    expect(runs.map((r) => r.result.runId)).toEqual(runs.map(() => 'attempt-0'));
    expect(last.totals.deleted).toBe(undisturbed.totals.deleted);
    expect(last.totals.bytesFreed).toBe(undisturbed.totals.bytesFreed);
    expect(last.totals.failed).toBe(0);
    expect(last.repositories.map((r) => r.repositoryName)).toEqual(undisturbed.repositories.map((r) => r.repositoryName));
    expect(await checkpoint.load()).toBeNull();
  }, 60_000);

  it('lists each repository once over the resumed runs', async () => {
    const slow = await startFixture({ now: NOW_ISO, generate: GENERATE, latencyMs: 60 });
    fixtures.push(slow);
    const sent = recordCommands(slow.ecr);
    const dir = await tempDir();
    const checkpoint = new FileCheckpointStore(join(dir, 'checkpoint.json'));
    const offset = Date.now() - NOW;
    const clock = (): number => Date.now() - offset;
    for (let i = 0; i < 15; i += 1) {
      const { result } = await runSweep({ registry: ecrRegistry(slow.ecr), clock, checkpoint }, { ruleSet: RULES, now: NOW, mode: 'apply', deadline: clock() + 250, concurrency: 4 });
      if (result.remainingRepositories.length === 0) break;
    }
    expect(await checkpoint.load()).toBeNull();
    const listed = sent.filter((c) => c.command === 'DescribeImages' && c.input.imageIds === undefined).map((c) => c.input.repositoryName as string);
    expect(listed.sort()).toEqual(slow.emulator.repositories().map((r) => r.repositoryName).sort());
  }, 60_000);

  it('carries the maxDeletionsPerRun count across resumed runs', async () => {
    const fake = new FakeEcr().add('a', untagged('a1'), untagged('a2'), untagged('a3')).add('b', untagged('b1'), untagged('b2'), untagged('b3'));
    const rules = ruleSet([untaggedOlderThan(7)], { maxDeletionsPerRun: 6 });
    let saved: Checkpoint | null = null;
    const store = { load: async () => saved, save: async (c: Checkpoint) => void (saved = c), clear: async () => void (saved = null) };
    // First run: sends 'a' (3 deletions), then is stopped before 'b'.
    let stop = false;
    const first = await runSweep(
      { registry: ecrRegistry(fake.client), clock: () => (stop ? NOW + 10 : NOW), checkpoint: store, onProgress: (e) => void (e.phase === 'delete' && e.imagesDone >= 3 && (stop = true)) },
      { ruleSet: rules, mode: 'apply', now: NOW, deadline: NOW + 5, concurrency: 1 },
    );
    expect(first.result.totals.deleted).toBe(3);
    expect(saved!.deletionsSent).toBe(3);
    // Say a call whose answer was lost counted one more: the next run starts from the stored count.
    saved = { ...saved!, deletionsSent: 4 };
    const second = await runSweep({ registry: ecrRegistry(fake.client), clock: () => NOW, checkpoint: store }, { ruleSet: rules, mode: 'apply', now: NOW, concurrency: 1 });
    // 4 already counted + 3 for 'b' > 6: the engine's backstop refuses the batch.
    expect(second.result.abortedReason).toMatch(/maxDeletionsPerRun 6 \(4 already deleted or attempted\)/);
    expect(fake.digests('b')).toHaveLength(3);
  });

  it('writes the checkpoint after the first batch, before the 30 s refresh', async () => {
    const images = Array.from({ length: 250 }, (_, i) => untagged(`x${i}`));
    const fake = new FakeEcr().add('big', ...images);
    const saves: Checkpoint[] = [];
    const deletesAtSave: number[] = [];
    const sent = recordCommands(fake.client);
    const store = {
      load: async () => null,
      save: async (c: Checkpoint) => {
        saves.push(structuredClone(c));
        deletesAtSave.push(sent.filter((s) => s.command === 'BatchDeleteImage').length);
      },
      clear: async () => undefined,
    };
    // The clock never moves: no save is due to the 30 s interval.
    await runSweep({ registry: ecrRegistry(fake.client), clock: () => NOW, checkpoint: store }, { ruleSet: RULES, mode: 'apply', now: NOW, concurrency: 1 });
    // Saved before any delete with the whole plan, then once the first batch was sent.
    expect(deletesAtSave[0]).toBe(0);
    expect(saves[0]!.plannedRepositories?.map((p) => p.plan.repositoryName)).toEqual(['big']);
    const afterFirstBatch = saves.findIndex((c) => (c.deletionsSent ?? 0) > 0);
    expect(afterFirstBatch).toBeGreaterThan(0);
    expect(deletesAtSave[afterFirstBatch]).toBeLessThan(3);
    expect(saves[afterFirstBatch]!.runId).toBe(saves[0]!.runId);
  });
});
