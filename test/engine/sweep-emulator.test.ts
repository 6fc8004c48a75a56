/**
 * The sweep end to end on the ECR emulator, through the real AWS SDK over HTTP: what apply
 * deletes, what concurrent changes keep, throttling and server errors, deadline and resume,
 * and the dry-run guarantee read from the emulator's own counters.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileCheckpointStore } from '../../lib/adapters/checkpoint-file.js';
import type { Plan } from '../../lib/core/plan-model.js';
import { buildPlan, runSweep } from '../../lib/engine/sweep.js';
import { recordCommands } from './support/record-commands.js';
import { imageKeys, registryState, startFixture, type EmulatorFixture } from './support/emulator.js';
import { keepNewest, ruleSet, taggedOlderThan, untaggedOlderThan } from './support/rules.js';
import { ecrRegistry } from '../../lib/adapters/ecr-registry-connector.js';

const NOW_ISO = '2026-06-01T00:00:00.000Z';
const NOW = Date.parse(NOW_ISO);
const GENERATE = { seed: 7, repositories: 6, imagesPerRepository: [20, 40] as [number, number] };
const RULES = ruleSet([untaggedOlderThan(7), taggedOlderThan(30, ['pr-*'], 'old-prs'), keepNewest(3, ['main-*'], 'main-3')]);
const FAST_RATES = { minRate: 200 };

const fixtures: EmulatorFixture[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(fixtures.splice(0).map((f) => f.emulator.stop()));
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function fixture(options: Parameters<typeof startFixture>[0] = {}, excludeSweeper = true): Promise<EmulatorFixture> {
  const f = await startFixture({ now: NOW_ISO, generate: GENERATE, ...options }, excludeSweeper);
  fixtures.push(f);
  return f;
}

function deleteSet(plan: Plan): string[] {
  return plan.repositories
    .flatMap((r) => r.images.filter((i) => i.decision === 'delete').map((i) => `${r.repositoryName}@${i.imageDigest}`))
    .sort();
}

describe('runSweep on the emulator', () => {
  it('apply deletes exactly the plan delete set and nothing else', async () => {
    const { emulator, ecr } = await fixture();
    const before = imageKeys(emulator);
    const plan = await buildPlan({ registry: ecrRegistry(ecr) }, { ruleSet: RULES, now: NOW });
    const planned = deleteSet(plan);
    expect(planned.length).toBeGreaterThan(20);
    expect(plan.summary.images).toBe(before.length);
    emulator.resetStats();

    const { result, plan: appliedPlan } = await runSweep({ registry: ecrRegistry(ecr) }, { ruleSet: RULES, now: NOW, mode: 'apply' });
    expect(deleteSet(appliedPlan)).toEqual(planned);
    const after = new Set(imageKeys(emulator));
    const expected = before.filter((k) => !planned.includes(k));
    expect([...after].sort()).toEqual(expected);
    expect(result.totals.deleted).toBe(planned.length);
    expect(result.totals.failed).toBe(0);
    expect(result.totals.skipped).toBe(0);
    expect(result.finishedRepositories).toHaveLength(6);
    expect(result.remainingRepositories).toEqual([]);
    // Every image of every repository has an outcome.
    expect(result.repositories.reduce((n, r) => n + r.images.length, 0)).toBe(before.length);
    const stats = emulator.stats();
    expect(result.apiCalls.BatchDeleteImage).toBe(stats.requests.BatchDeleteImage);
    expect(result.apiCalls.DescribeImages).toBe(stats.requests.DescribeImages);
  });

  it('dry-run sends no BatchDeleteImage (emulator counters)', async () => {
    const { emulator, ecr } = await fixture();
    const before = imageKeys(emulator);
    const { result, plan } = await runSweep({ registry: ecrRegistry(ecr) }, { ruleSet: RULES, now: NOW });
    expect(result.mode).toBe('dry-run');
    expect(plan.summary.delete).toBeGreaterThan(0);
    expect(emulator.stats().requests.BatchDeleteImage ?? 0).toBe(0);
    expect(imageKeys(emulator)).toEqual(before);
    // Planned deletions of a dry run are "would delete", not skipped: nothing was attempted and nothing went wrong.
    expect(result.totals.wouldDelete).toBe(plan.summary.delete);
    expect(result.totals.skipped).toBe(0);
  });

  it('a plan sink that answers { execute: false } stops an apply run before any delete; the result is the dry run of that plan', async () => {
    const { emulator, ecr } = await fixture();
    const before = imageKeys(emulator);
    const { result, plan } = await runSweep(
      { registry: ecrRegistry(ecr), planSink: async () => ({ execute: false, reason: 'declined at the prompt' }) },
      { ruleSet: RULES, mode: 'apply', now: NOW },
    );
    expect(plan.summary.delete).toBeGreaterThan(0);
    expect(emulator.stats().requests.BatchDeleteImage ?? 0).toBe(0);
    expect(imageKeys(emulator)).toEqual(before);
    expect(result.mode).toBe('dry-run');
    expect(result.totals.deleted).toBe(0);
    const planned = result.repositories.flatMap((r) => r.images).filter((i) => i.decision === 'delete');
    expect(planned).toHaveLength(plan.summary.delete);
    for (const image of planned) expect(image.outcome).toMatchObject({ reason: 'declined at the prompt: nothing is deleted' });
    expect(result.warnings.map((w) => w.code)).toContain('apply-declined');
  });

  it('loses nothing tagged during the sweep: retagged images are skipped as changed since plan', async () => {
    const { emulator, ecr } = await fixture();
    const retagged: { repo: string; digest: string; tag: string }[] = [];
    const retag = (plan: Plan, count: number): void => {
      const candidates = plan.repositories.flatMap((r) =>
        r.images.filter((i) => i.decision === 'delete' && i.role !== 'child').map((i) => ({ repo: r.repositoryName, digest: i.imageDigest })),
      );
      for (const c of candidates.filter((_, k) => k % 7 === retagged.length % 7).slice(0, count)) {
        if (retagged.some((r) => r.digest === c.digest)) continue;
        // Only images still there can be tagged (pushing a tag to a deleted digest is impossible).
        if (!emulator.findImage(c.repo, { digest: c.digest })) continue;
        const tag = `hotfix-${retagged.length}`;
        emulator.tagImage(c.repo, c.digest, tag);
        retagged.push({ ...c, tag });
      }
    };
    let planSeen: Plan | undefined;
    let midSweepDone = false;
    const { result } = await runSweep(
      {
        registry: ecrRegistry(ecr),
        // After the plan is recorded and before the first delete: a CI job tags some images.
        planSink: async (plan) => {
          planSeen = plan;
          retag(plan, 3);
        },
        // While deletions are running: more tags arrive.
        onProgress: (event) => {
          if (event.phase === 'delete' && event.imagesDone > 0 && !midSweepDone && planSeen) {
            midSweepDone = true;
            retag(planSeen, 3);
          }
        },
      },
      { ruleSet: RULES, now: NOW, mode: 'apply', concurrency: 1 },
    );
    expect(retagged.length).toBeGreaterThanOrEqual(3);
    for (const r of retagged) {
      const image = emulator.findImage(r.repo, { digest: r.digest });
      // Either still there with its new tag, or it was already deleted before the tag arrived (then the tag was never pushed).
      if (image) expect(image.imageTags).toContain(r.tag);
    }
    const survivors = retagged.filter((r) => emulator.findImage(r.repo, { digest: r.digest }));
    expect(survivors.length).toBeGreaterThanOrEqual(3);
    const outcomes = new Map(result.repositories.flatMap((r) => r.images.map((i) => [`${r.repositoryName}@${i.imageDigest}`, i.outcome] as const)));
    for (const r of survivors) {
      expect(outcomes.get(`${r.repo}@${r.digest}`)).toEqual({ status: 'skipped', reason: `changed since plan: gained tag '${r.tag}'` });
    }
    // Everything else skipped was kept with its group (children of a retagged index, signatures of a retagged image), and is still there.
    const skipped = result.repositories.flatMap((r) => r.images.filter((i) => i.outcome.status === 'skipped').map((i) => ({ repo: r.repositoryName, image: i })));
    expect(skipped.length).toBeGreaterThanOrEqual(survivors.length);
    for (const { repo, image } of skipped) {
      expect(image.outcome).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/^changed since plan: /) });
      expect(emulator.findImage(repo, { digest: image.imageDigest })).toBeDefined();
    }
  });

  it('ends with the same registry under 50% throttling and random ServerExceptions', async () => {
    const clean = await fixture();
    const faulty = await fixture({ throttleProbability: 0.5, serverErrorProbability: 0.1, seed: 3 });
    await runSweep({ registry: ecrRegistry(clean.ecr) }, { ruleSet: RULES, now: NOW, mode: 'apply' });
    const { result } = await runSweep({ registry: ecrRegistry(faulty.ecr) }, { ruleSet: RULES, now: NOW, mode: 'apply', rateControl: FAST_RATES });
    expect(registryState(faulty.emulator)).toEqual(registryState(clean.emulator));
    expect(result.totals.failed).toBe(0);
    expect(result.totals.failedRepositories).toBe(0);
    const stats = faulty.emulator.stats();
    expect(result.throttles).toBe(sum(stats.throttled));
    expect(result.throttles).toBeGreaterThan(0);
    // Every request the server saw was counted; a request lost on a reset keep-alive socket is counted but never arrives.
    expect(sum(result.apiCalls)).toBeGreaterThanOrEqual(sum(stats.requests));
    expect(sum(result.apiCalls) - sum(stats.requests)).toBeLessThanOrEqual(2);
    expect(result.retries).toBeGreaterThan(0);
  });

  it('stops at a deadline between batches and resumes from the checkpoint to the same result', async () => {
    const reference = await fixture();
    const stopped = await fixture();
    await runSweep({ registry: ecrRegistry(reference.ecr) }, { ruleSet: RULES, now: NOW, mode: 'apply' });

    const dir = await mkdtemp(join(tmpdir(), 'sweep-ckpt-'));
    dirs.push(dir);
    const checkpoint = new FileCheckpointStore(join(dir, 'checkpoint.json'));
    let clock = NOW;
    const deadline = NOW + 60_000;
    const first = await runSweep(
      {
        registry: ecrRegistry(stopped.ecr),
        clock: () => clock,
        checkpoint,
        onProgress: (event) => {
          // Time runs out once some deletions are done: the sweep must stop between batches.
          if (event.phase === 'delete' && event.imagesDone > 0) clock = deadline + 1;
        },
      },
      { ruleSet: RULES, now: NOW, mode: 'apply', deadline, concurrency: 1, runId: 'run-1' },
    );
    expect(first.result.stoppedByDeadline).toBe(true);
    expect(first.result.remainingRepositories.length).toBeGreaterThan(0);
    expect([...first.result.finishedRepositories, ...first.result.remainingRepositories].sort()).toEqual(
      first.result.repositories.map((r) => r.repositoryName).sort(),
    );
    expect(await checkpoint.load()).toMatchObject({ runId: 'run-1', finishedRepositories: first.result.finishedRepositories });
    expect(registryState(stopped.emulator)).not.toEqual(registryState(reference.emulator));

    clock = NOW;
    const sent = recordCommands(stopped.ecr);
    const second = await runSweep({ registry: ecrRegistry(stopped.ecr), clock: () => clock, checkpoint }, { ruleSet: RULES, now: NOW, mode: 'apply' });
    expect(second.result.runId).toBe('run-1');
    expect(second.result.stoppedByDeadline).toBe(false);
    expect(second.result.remainingRepositories).toEqual([]);
    // Finished repositories are not part of the second run (no journal to report them from).
    expect(second.plan.repositories.map((r) => r.repositoryName)).toEqual(first.result.remainingRepositories);
    // Every repository was listed by the first run: the second executes the stored plan, listing nothing
    // (its DescribeImages calls are the re-reads by digest before each batch).
    expect(sent.filter((c) => c.command === 'DescribeImages' && c.input.imageIds === undefined)).toEqual([]);
    expect(sent.filter((c) => c.command === 'BatchGetImage')).toEqual([]);
    expect(registryState(stopped.emulator)).toEqual(registryState(reference.emulator));
    await expect(stat(join(dir, 'checkpoint.json'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('recognises its own index reads when the sweeper is not a pull-time exclusion', async () => {
    const { emulator, ecr } = await fixture({}, false);
    const plan = await buildPlan({ registry: ecrRegistry(ecr) }, { ruleSet: RULES, now: NOW });
    const indexes = deleteSet({ ...plan, repositories: plan.repositories.map((r) => ({ ...r, images: r.images.filter((i) => i.role === 'index') })) });
    const { result } = await runSweep({ registry: ecrRegistry(ecr) }, { ruleSet: RULES, now: NOW, mode: 'apply' });
    expect(indexes.length).toBeGreaterThan(0);
    const remaining = new Set(imageKeys(emulator));
    expect(indexes.filter((k) => remaining.has(k))).toEqual([]);
    expect(result.totals.skipped).toBe(0);
  });
});

function sum(counts: Record<string, number>): number {
  return Object.values(counts).reduce((n, v) => n + v, 0);
}
