/**
 * fast-check arbitraries for sweep results with every outcome, role and rule mix, their counts
 * computed by the engine's own countImages, for properties of the report figures.
 */
import fc from 'fast-check';
import type { Decision, ImageRole } from '../../../lib/core/plan-model.js';
import type { Outcome, RepositoryResult, ResultImage, SweepResult } from '../../../lib/core/result-model.js';
import { addCounts, countImages, emptyCounts } from '../../../lib/engine/result-builder.js';

const RULES = ['r-untagged', 'r-old', 'r-keep', 'r-archive', null] as const;

function outcomeFor(decision: Decision, mode: 'apply' | 'dry-run', pick: number, alreadyFlag: boolean): Outcome {
  if (decision === 'keep') return { status: 'kept', reason: 'kept' };
  if (decision === 'transition') {
    if (mode === 'dry-run' || pick % 3 === 0) return { status: 'transition-planned', reason: 'planned' };
    return alreadyFlag ? { status: 'archived', alreadyArchived: true } : { status: 'archived' };
  }
  if (mode === 'dry-run') return { status: 'would-delete' };
  switch (pick % 4) {
    case 0:
      return { status: 'failed', code: 'ImageReferencedByManifestList', message: 'referenced' };
    case 1:
      return { status: 'skipped', reason: 'changed since plan' };
    default:
      return alreadyFlag ? { status: 'deleted', alreadyGone: true } : { status: 'deleted' };
  }
}

const image = (mode: 'apply' | 'dry-run') =>
  fc
    .record({
      n: fc.nat(1_000_000),
      decision: fc.constantFrom<Decision>('delete', 'keep', 'transition'),
      rule: fc.constantFrom(...RULES),
      role: fc.constantFrom<ImageRole>('image', 'image', 'index', 'child', 'referrer'),
      size: fc.option(fc.integer({ min: 0, max: 5 * 1024 ** 3 }), { nil: null, freq: 8 }),
      pick: fc.nat(11),
      already: fc.boolean(),
    })
    .map(
      (i): ResultImage => ({
        imageDigest: `sha256:${i.n.toString(16).padStart(64, '0')}`,
        imageTags: [],
        pushedAt: '2026-01-01T00:00:00.000Z',
        lastPulledAt: null,
        sizeInBytes: i.size,
        role: i.role,
        decision: i.decision,
        rule: i.rule,
        reason: `${i.decision}: by ${i.rule ?? 'nothing'}`,
        outcome: outcomeFor(i.decision, mode, i.pick, i.already),
      }),
    );

/** A result of `mode` with 0-6 repositories of 0-25 images each, totals as the engine adds them. */
export function arbitraryResult(mode: 'apply' | 'dry-run'): fc.Arbitrary<SweepResult> {
  return fc.array(fc.uniqueArray(image(mode), { maxLength: 25, selector: (i) => i.imageDigest }), { maxLength: 6 }).map((repos) => {
    const repositories: RepositoryResult[] = repos.map((images, k) => ({
      repositoryName: `repo-${k}`,
      policy: 'p',
      planStatus: 'planned',
      status: 'completed',
      images,
      counts: countImages(images),
    }));
    const totals = { ...emptyCounts(), repositories: repositories.length, failedRepositories: 0 };
    for (const r of repositories) addCounts(totals, r.counts);
    return {
      version: 1,
      runId: 'run-prop',
      mode,
      rulesSource: 'rules.yml',
      now: '2026-11-27T06:00:00.000Z',
      startedAt: '2026-11-27T06:00:00.000Z',
      finishedAt: '2026-11-27T06:01:00.000Z',
      durationMs: 60_000,
      repositories,
      totals,
      apiCalls: {},
      retries: 0,
      throttles: 0,
      stoppedByDeadline: false,
      finishedRepositories: [],
      remainingRepositories: [],
      warnings: [],
    };
  });
}
