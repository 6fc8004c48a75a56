/**
 * The run's documents of a multi-target run (lib/core/run-merge.ts): repositories carry their
 * target, totals are the sums of the targets', a failed target is `failed` with its error and
 * counted, never clean; warnings name their target. Table tests and fast-check properties.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mergeInUse, mergePlans, mergeResults, targetStatus } from '../../lib/core/run-merge.js';
import { failureSummary, runFigures, targetFigures } from '../../lib/core/report-summary.js';
import type { InUseReport } from '../../lib/core/plan-model.js';
import type { SweepResult } from '../../lib/core/result-model.js';
import type { FailedTarget, TargetRef } from '../../lib/core/targets.js';
import { buildSampleResult, planFromResult } from '../fixtures/sample-result.js';
import { arbitraryResult } from '../reports/support/random-result.js';

const A: TargetRef = { accountId: '111111111111', region: 'eu-west-1' };
const B: TargetRef = { accountId: '222222222222', region: 'us-east-1' };
const DENIED: FailedTarget = { accountId: '333333333333', region: 'eu-west-1', error: { code: 'AccessDenied', message: 'User is not authorized to perform: sts:AssumeRole on role/ecr-sweeper-target' } };
const WHOLE_ACCOUNT: FailedTarget = { accountId: '444444444444', error: { code: 'AccessDenied', message: 'ec2:DescribeRegions denied' } };

const TIMES = { now: '2026-06-01T00:00:00.000Z', startedAt: '2026-06-01T00:00:00.000Z', finishedAt: '2026-06-01T00:01:00.000Z' };
const TOTAL_KEYS = ['images', 'planned', 'deleted', 'failed', 'skipped', 'wouldDelete', 'kept', 'archived', 'bytesFreed', 'repositories', 'failedRepositories'] as const;

function merge(done: { target: TargetRef; result: SweepResult }[], failed: FailedTarget[] = []): SweepResult {
  return mergeResults({ runId: 'run-1', mode: done[0]?.result.mode ?? 'apply', rulesSource: 'rules.yml', ...TIMES, done, failed });
}

describe('mergeResults', () => {
  it('every repository carries its target, in target then name order', () => {
    const a = buildSampleResult({ mode: 'apply' });
    const b = buildSampleResult({ mode: 'apply' });
    const merged = merge([{ target: B, result: b }, { target: A, result: a }]);
    expect(merged.repositories).toHaveLength(a.repositories.length + b.repositories.length);
    expect(merged.repositories.slice(0, a.repositories.length).every((r) => r.target?.accountId === A.accountId && r.target.region === A.region)).toBe(true);
    expect(merged.repositories.slice(a.repositories.length).every((r) => r.target?.accountId === B.accountId)).toBe(true);
    expect(merged.targets?.map((t) => t.key)).toEqual(['111111111111/eu-west-1', '222222222222/us-east-1']);
    expect(merged.targets?.map((t) => t.status)).toEqual(['completed', 'completed']);
  });

  it('a failed target is failed with its error naming account and Region, counted in the totals, zero images', () => {
    const merged = merge([{ target: A, result: buildSampleResult({ mode: 'apply' }) }], [DENIED, WHOLE_ACCOUNT]);
    expect(merged.totals.targets).toBe(3);
    expect(merged.totals.failedTargets).toBe(2);
    const denied = merged.targets!.find((t) => t.key === '333333333333/eu-west-1')!;
    expect(denied.status).toBe('failed');
    expect(denied.error).toEqual(DENIED.error);
    expect(denied.statusReason).toBe('account 333333333333, eu-west-1 could not be swept: AccessDenied: User is not authorized to perform: sts:AssumeRole on role/ecr-sweeper-target');
    expect(denied.totals.images).toBe(0);
    const whole = merged.targets!.find((t) => t.key === '444444444444/*')!;
    expect(whole.region).toBeUndefined();
    expect(whole.statusReason).toContain('account 444444444444 (every Region) could not be swept');
    // Never clean: the run's figures say so in words.
    expect(failureSummary(runFigures(merged))).toContain('2 failed targets');
  });

  it('only failed targets: totals are zero but the run is not clean', () => {
    const merged = merge([], [DENIED]);
    expect(merged.repositories).toEqual([]);
    expect(merged.totals).toMatchObject({ images: 0, deleted: 0, targets: 1, failedTargets: 1 });
    expect(runFigures(merged).failedTargets).toBe(1);
  });

  it('warnings name their target; abort and deadline are carried, the abort naming its target', () => {
    const a = { ...buildSampleResult({ mode: 'apply' }), warnings: [{ code: 'policy-glob-matches-nothing', message: "policy 'x' include 'y/*' matches no repository" }], abortedReason: 'maxDeletionsPerRun 10 reached' };
    const b = { ...buildSampleResult({ mode: 'apply' }), stoppedByDeadline: true, remainingRepositories: ['zeta'] };
    const merged = merge([{ target: A, result: a }, { target: B, result: b }]);
    expect(merged.warnings).toEqual([{ code: 'policy-glob-matches-nothing', message: "account 111111111111, eu-west-1: policy 'x' include 'y/*' matches no repository", target: A }]);
    expect(merged.abortedReason).toBe('account 111111111111, eu-west-1: maxDeletionsPerRun 10 reached');
    expect(merged.stoppedByDeadline).toBe(true);
    expect(merged.remainingRepositories).toEqual(['222222222222/us-east-1/zeta']);
    expect(merged.targets!.map((t) => t.status)).toEqual(['incomplete', 'incomplete']);
  });

  it.each([
    [{ mode: 'dry-run' as const, remainingRepositories: [], stoppedByDeadline: false }, 'planned'],
    [{ mode: 'apply' as const, remainingRepositories: [], stoppedByDeadline: false }, 'completed'],
    [{ mode: 'apply' as const, remainingRepositories: ['a'], stoppedByDeadline: true }, 'incomplete'],
    [{ mode: 'apply' as const, remainingRepositories: [], stoppedByDeadline: false, interrupted: 'SIGINT' }, 'incomplete'],
    [{ mode: 'apply' as const, remainingRepositories: [], stoppedByDeadline: false, abortedReason: 'cap' }, 'incomplete'],
  ])('target status of %j is %s', (result, status) => {
    expect(targetStatus(result)).toBe(status);
  });

  it('property: the merged totals are the sum of the targets\', and each target\'s figures are its own', () => {
    fc.assert(
      fc.property(fc.constantFrom<'apply' | 'dry-run'>('apply', 'dry-run').chain((mode) => fc.array(arbitraryResult(mode), { minLength: 1, maxLength: 4 })), fc.nat(3), (results, failures) => {
        const done = results.map((result, i) => ({ target: { accountId: String(100000000000 + i), region: 'eu-west-1' }, result }));
        const failed = Array.from({ length: failures }, (_, i) => ({ accountId: String(900000000000 + i), region: 'us-east-1', error: { code: 'AccessDenied', message: 'no' } }));
        const merged = merge(done, failed);
        for (const key of TOTAL_KEYS) expect(merged.totals[key]).toBe(results.reduce((n, r) => n + r.totals[key], 0));
        expect(merged.totals.targets).toBe(results.length + failures);
        expect(merged.totals.failedTargets).toBe(failures);
        expect(merged.repositories.length).toBe(results.reduce((n, r) => n + r.repositories.length, 0));
        // Per-target figures (one definition) add up to the run's.
        const perTarget = targetFigures(merged);
        expect(perTarget).toHaveLength(results.length + failures);
        const run = runFigures(merged);
        for (const key of ['images', 'planned', 'deleted', 'wouldDelete', 'failedDeletions', 'skipped', 'kept', 'archived', 'bytesFreed', 'bytesWouldFree', 'inUseKept', 'failedRepositories'] as const) {
          expect(perTarget.reduce((n, t) => n + t.figures[key], 0), key).toBe(run[key]);
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe('merged repositories and the image store', () => {
  it('images read back on demand stay on demand: merging reads none of them', () => {
    const result = buildSampleResult({ mode: 'apply' });
    let reads = 0;
    const lazy = result.repositories.map((r) => {
      const images = r.images;
      const copy = { ...r };
      Object.defineProperty(copy, 'images', { enumerable: true, configurable: true, get: () => (reads += 1, images) });
      return copy;
    });
    const merged = merge([{ target: A, result: { ...result, repositories: lazy } }]);
    expect(reads).toBe(0);
    expect(merged.repositories[0]!.images).toBe(result.repositories[0]!.images);
    expect(reads).toBe(1);
    expect(merged.repositories[0]!.target).toEqual(A);
  });
});

describe('mergePlans', () => {
  it('summary sums the targets\' plans; a failed target is listed with its error', () => {
    const pa = planFromResult(buildSampleResult({ mode: 'apply' }));
    const pb = planFromResult(buildSampleResult({ mode: 'apply' }));
    const plan = mergePlans({ runId: 'run-1', now: TIMES.now, mode: 'apply', planned: [{ target: A, plan: pa }, { target: B, plan: pb }], failed: [DENIED] });
    for (const key of ['images', 'delete', 'keep', 'transition', 'bytesToFree', 'repositories', 'blockedRepositories'] as const) {
      expect(plan.summary[key]).toBe(pa.summary[key] + pb.summary[key]);
    }
    expect(plan.summary.targets).toBe(3);
    expect(plan.summary.failedTargets).toBe(1);
    expect(plan.targets!.map((t) => [t.key, t.status])).toEqual([
      ['111111111111/eu-west-1', 'planned'],
      ['222222222222/us-east-1', 'planned'],
      ['333333333333/eu-west-1', 'failed'],
    ]);
    expect(plan.targets![2]!.error).toEqual(DENIED.error);
    expect(plan.repositories.every((r) => r.target !== undefined)).toBe(true);
    expect(plan.runId).toBe('run-1');
  });
});

describe('mergeInUse', () => {
  const report = (scannedAt: string, status: 'scanned' | 'failed', kept: number): InUseReport => ({
    scannedAt,
    rescans: 0,
    sources: [{ source: 'ecs', label: 'ECS (all clusters) in 111111111111/eu-west-1', status, usages: 0, calls: {} }],
    counts: { resolved: 2, otherRegistry: 1, unknownRepository: 0, unknownTag: 0, unknownDigest: 0, malformed: 0 },
    imagesKept: kept,
  });

  it('counts and kept images are sums; a source any target saw failed stays failed', () => {
    const merged = mergeInUse([report('2026-06-01T00:00:00.000Z', 'failed', 1), report('2026-06-01T00:05:00.000Z', 'scanned', 2), undefined])!;
    expect(merged.imagesKept).toBe(3);
    expect(merged.counts.resolved).toBe(4);
    expect(merged.sources.map((s) => s.status)).toEqual(['failed']);
    expect(merged.scannedAt).toBe('2026-06-01T00:05:00.000Z');
  });

  it('no target scanned: no report', () => {
    expect(mergeInUse([undefined])).toBeUndefined();
  });
});
