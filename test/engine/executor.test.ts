/**
 * executeRepository on its own, with hand-made plans: the run-wide backstops (maxDeletionsPerRun,
 * deadline) that the planner normally makes unreachable, and the stop reasons they leave.
 */
import pLimit from 'p-limit';
import { describe, expect, it } from 'vitest';
import { EcrRegistry } from '../../lib/adapters/ecr-registry.js';
import type { PlannedImage, RepositoryPlan } from '../../lib/core/plan-model.js';
import { deletionLayers } from '../../lib/core/planner.js';
import { executeRepository } from '../../lib/engine/executor.js';
import { RunControl } from '../../lib/engine/run-control.js';
import { FakeEcr, digestOf } from './support/fake-ecr.js';

const NOW = Date.parse('2026-06-01T00:00:00Z');
const PUSHED = NOW - 30 * 86_400_000;

function planFor(names: string[]): RepositoryPlan {
  const images: PlannedImage[] = names.map((n) => ({
    imageDigest: digestOf(n),
    imageTags: [],
    pushedAt: new Date(PUSHED).toISOString(),
    lastPulledAt: null,
    sizeInBytes: 10,
    role: 'image',
    decision: 'delete',
    rule: 'r',
    reason: 'delete: test',
  }));
  return { repositoryName: 'app', policy: 'p', status: 'planned', images, counts: { images: images.length, delete: images.length, keep: 0, transition: 0, bytesToFree: 0 } };
}

function setup(count: number) {
  const names = Array.from({ length: count }, (_, i) => `img-${String(i).padStart(3, '0')}`);
  const fake = new FakeEcr().add('app', ...names.map((n) => ({ digest: digestOf(n), pushedAt: PUSHED })));
  const plan = planFor(names);
  return { fake, plan, registry: new EcrRegistry(fake.client) };
}

describe('executeRepository', () => {
  it('aborts the run when a batch would exceed maxDeletionsPerRun, deleting nothing more', async () => {
    const { fake, plan, registry } = setup(150);
    const run = new RunControl(120, undefined, () => NOW);
    const execution = await executeRepository({ registry, run, batchLimit: pLimit(1) }, plan, deletionLayers(plan));
    const statuses = [...execution.outcomes.values()].map((o) => o.status);
    expect(statuses.filter((s) => s === 'deleted')).toHaveLength(100);
    expect(statuses.filter((s) => s === 'skipped')).toHaveLength(50);
    expect(run.abortedReason).toMatch(/maxDeletionsPerRun 120/);
    expect(execution.status).toBe('not-started');
    expect(execution.statusReason).toMatch(/^stopped part-way: safety limit/);
    expect(fake.digests('app')).toHaveLength(50);
    // A second repository of the same run starts nothing.
    const other = await executeRepository({ registry, run, batchLimit: pLimit(1) }, plan, deletionLayers(plan));
    expect(other.statusReason).toMatch(/^not started: safety limit/);
  });

  it('counts a deletion whose answer was lost against maxDeletionsPerRun (issue 12 §5)', async () => {
    const { fake, plan, registry } = setup(150);
    fake.loseDeleteAnswer = (call) => call === 1;
    const run = new RunControl(120, undefined, () => NOW);
    const retry = { pause: async () => {} };
    const execution = await executeRepository({ registry, run, batchLimit: pLimit(1), retry }, plan, deletionLayers(plan));
    const statuses = [...execution.outcomes.values()].map((o) => o.status);
    // The lost call deleted 100: they are this run's, so the next 50 would exceed the limit.
    expect(statuses.filter((s) => s === 'deleted')).toHaveLength(100);
    expect([...execution.outcomes.values()].filter((o) => o.status === 'deleted' && o.alreadyGone)).toEqual([]);
    expect(statuses.filter((s) => s === 'skipped')).toHaveLength(50);
    expect(run.abortedReason).toMatch(/maxDeletionsPerRun 120/);
    expect(fake.digests('app')).toHaveLength(50);
  });

  it('stops between batches at the deadline', async () => {
    const { fake, plan, registry } = setup(250);
    let clock = NOW;
    const run = new RunControl(null, NOW + 1000, () => clock);
    let settled = 0;
    const execution = await executeRepository(
      {
        registry,
        run,
        batchLimit: pLimit(1),
        onSettled: (n) => {
          settled += n;
          if (settled >= 100) clock = NOW + 2000;
        },
      },
      plan,
      deletionLayers(plan),
    );
    expect(fake.deleteCalls).toHaveLength(1);
    expect(run.stoppedByDeadline).toBe(true);
    const skipped = [...execution.outcomes.values()].filter((o) => o.status === 'skipped');
    expect(skipped).toHaveLength(150);
    expect(skipped[0]).toEqual({ status: 'skipped', reason: 'deadline reached before this batch; the next run continues' });
  });

  it('deletes nothing that the plan keeps', async () => {
    const { fake, plan, registry } = setup(10);
    plan.images[3] = { ...plan.images[3]!, decision: 'keep', reason: 'keep: test' };
    const run = new RunControl(null, undefined, () => NOW);
    const execution = await executeRepository({ registry, run, batchLimit: pLimit(2) }, plan, deletionLayers(plan));
    expect(fake.digests('app')).toEqual([digestOf('img-003')]);
    expect(execution.outcomes.has(digestOf('img-003'))).toBe(false);
    expect(fake.deleteCalls.flatMap((c) => c.digests)).not.toContain(digestOf('img-003'));
  });
});
