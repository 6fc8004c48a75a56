/**
 * The engine's own maxDeletePercentPerRepository check (lib/engine/sweep.ts, executeAll): a
 * backstop for a planner that let a repository through. The real planner always blocks such a
 * repository first, so here the planner is made to ignore the percentage limit (it plans with
 * the cap removed) while the engine still sees the rules' cap.
 */
import { describe, expect, it, vi } from 'vitest';
import type { RuleSet } from '../../lib/core/rules-model.js';
import { runSweep } from '../../lib/engine/sweep.js';
import { DAY, ruleSet, untaggedOlderThan } from './support/rules.js';
import { FakeEcr, digestOf } from './support/fake-ecr.js';
import { ecrRegistry } from '../../lib/adapters/ecr-registry-connector.js';

vi.mock('../../lib/core/planner.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../lib/core/planner.js')>();
  return {
    ...original,
    planRepository: (inventory: Parameters<typeof original.planRepository>[0], rules: RuleSet, now: number, options?: Parameters<typeof original.planRepository>[3]) =>
      original.planRepository(inventory, { ...rules, defaults: { ...rules.defaults, maxDeletePercentPerRepository: null } }, now, options),
  };
});

const NOW = Date.parse('2026-06-01T00:00:00Z');
const OLD = NOW - 30 * DAY;

describe('engine backstop: maxDeletePercentPerRepository', () => {
  it('refuses a repository the plan would empty beyond the cap: no BatchDeleteImage, status blocked with the reason', async () => {
    const fake = new FakeEcr()
      .add('over', ...['a', 'b', 'c', 'd'].map((n) => ({ digest: digestOf(`over-${n}`), pushedAt: OLD, size: 10 })))
      .add('within', { digest: digestOf('within-old'), pushedAt: OLD, size: 10 }, { digest: digestOf('within-tagged'), tags: ['v1'], pushedAt: OLD, size: 10 });
    // 4 of 4 (100%) in 'over', 1 of 2 (50%) in 'within'; the cap is 50%.
    const rules = ruleSet([untaggedOlderThan(7)], { maxDeletePercentPerRepository: 50 });
    const { plan, result } = await runSweep({ registry: ecrRegistry(fake.client), clock: () => NOW }, { ruleSet: rules, mode: 'apply', now: NOW });

    // The (weakened) planner let 'over' through...
    expect(plan.repositories.find((r) => r.repositoryName === 'over')).toMatchObject({ status: 'planned', counts: { delete: 4 } });
    // ...the engine did not.
    const over = result.repositories.find((r) => r.repositoryName === 'over');
    expect(over?.status).toBe('blocked');
    expect(over?.statusReason).toMatch(/100\.0% of images planned for deletion > maxDeletePercentPerRepository 50%/);
    expect(fake.deleteCalls.filter((c) => c.repository === 'over')).toEqual([]);
    expect(fake.digests('over')).toHaveLength(4);
    // The repository within the cap is swept as planned.
    expect(fake.digests('within')).toEqual([digestOf('within-tagged')]);
    expect(result.totals.deleted).toBe(1);
  });
});
