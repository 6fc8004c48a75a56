/**
 * Small hand-built plans and results for the formatter tests: three governed repositories (one
 * blocked), one protected, two unmanaged.
 */
import type { PlanCounts, Plan, PlannedImage, RepositoryPlan } from '../../lib/core/plan-model.js';
import type { RepositoryResult, ResultImage, SweepResult } from '../../lib/core/result-model.js';

/** A planned image with defaults; override what the test cares about. */
export function image(overrides: Partial<PlannedImage> = {}): PlannedImage {
  return {
    imageDigest: `sha256:${'a'.repeat(64)}`,
    imageTags: [],
    pushedAt: '2026-10-01T00:00:00.000Z',
    lastPulledAt: null,
    sizeInBytes: 1024,
    role: 'image',
    decision: 'keep',
    rule: null,
    reason: 'keep: no rule matched',
    ...overrides,
  };
}

function counts(images: readonly PlannedImage[]): PlanCounts {
  const del = images.filter((i) => i.decision === 'delete');
  return {
    images: images.length,
    delete: del.length,
    keep: images.filter((i) => i.decision === 'keep').length,
    transition: images.filter((i) => i.decision === 'transition').length,
    bytesToFree: del.reduce((n, i) => n + (i.sizeInBytes ?? 0), 0),
  };
}

/** A repository plan whose counts are computed from its images. */
export function repo(name: string, images: PlannedImage[], extra: Partial<RepositoryPlan> = {}): RepositoryPlan {
  return { repositoryName: name, policy: 'services', status: 'planned', images, counts: counts(images), ...extra };
}

/** A plan whose summary is computed from its repositories. */
export function plan(repositories: RepositoryPlan[], mode: Plan['mode'] = 'dry-run'): Plan {
  const all = repositories.flatMap((r) => r.images);
  const c = counts(all);
  // Blocked repositories delete nothing, whatever their images say.
  const blockedDeletes = repositories.filter((r) => r.status === 'blocked');
  return {
    version: 1,
    now: '2026-11-27T12:00:00.000Z',
    mode,
    warnings: [],
    repositories,
    summary: {
      ...c,
      delete: c.delete - blockedDeletes.reduce((n, r) => n + r.counts.delete, 0),
      repositories: repositories.length,
      blockedRepositories: blockedDeletes.length,
    },
  };
}

const digest = (n: number): string => `sha256:${n.toString(16).padStart(64, '0')}`;

/** The standard fixture plan. */
export function samplePlan(): Plan {
  return plan([
    repo('team/api', [
      image({ imageDigest: digest(1), imageTags: ['v1.2.0'], reason: 'keep: newest of releases, rule keeps 5', rule: 'keep-releases' }),
      image({ imageDigest: digest(2), decision: 'delete', rule: 'untagged', reason: 'delete: untagged, pushed 40d ago > 14d', sizeInBytes: 3 * 1024 ** 3 }),
    ]),
    repo('team/web', [image({ imageDigest: digest(3), imageTags: ['=cmd|calc', 'pr-12'], decision: 'delete', rule: 'pr-builds', reason: 'delete: "pr" build, pushed 30d ago > 7d', sizeInBytes: 2048 })]),
    repo(
      'team/batch',
      [image({ imageDigest: digest(4), decision: 'delete', rule: 'untagged', reason: 'delete: untagged' })],
      { status: 'blocked', statusReason: 'would delete 100% of images > maxDeletePercentPerRepository 50%' },
    ),
    repo('prod/payments', [], { status: 'protected', policy: null, statusReason: 'matches protect.repositories prod/*' }),
    repo('sandbox/a', [], { status: 'unmanaged', policy: null }),
    repo('sandbox/b', [], { status: 'unmanaged', policy: null }),
  ]);
}

/** A result built from a plan: every planned delete gets `outcomeFor(image)`. */
export function resultFrom(p: Plan, outcomeFor: (img: PlannedImage) => ResultImage['outcome'], extra: Partial<SweepResult> = {}): SweepResult {
  const repositories: RepositoryResult[] = p.repositories.map((r) => {
    const images: ResultImage[] = r.images.map((img) => ({
      ...img,
      outcome: img.decision === 'delete' && r.status === 'planned' ? outcomeFor(img) : { status: 'kept', reason: img.reason },
    }));
    const deleted = images.filter((i) => i.outcome.status === 'deleted');
    return {
      repositoryName: r.repositoryName,
      policy: r.policy,
      planStatus: r.status,
      status: r.status === 'planned' ? 'completed' : r.status,
      ...(r.statusReason !== undefined ? { statusReason: r.statusReason } : {}),
      images,
      counts: {
        images: images.length,
        planned: r.status === 'planned' ? r.counts.delete : 0,
        deleted: deleted.length,
        failed: images.filter((i) => i.outcome.status === 'failed').length,
        skipped: images.filter((i) => i.outcome.status === 'skipped').length,
        wouldDelete: images.filter((i) => i.outcome.status === 'would-delete').length,
        kept: images.filter((i) => i.outcome.status === 'kept').length,
        archived: images.filter((i) => i.outcome.status === 'archived').length,
        bytesFreed: deleted.reduce((n, i) => n + (i.sizeInBytes ?? 0), 0),
      },
    };
  });
  const sum = (k: keyof RepositoryResult['counts']): number => repositories.reduce((n, r) => n + r.counts[k], 0);
  return {
    version: 1,
    runId: 'run-1',
    mode: p.mode,
    warnings: p.warnings,
    rulesSource: 'rules.yml',
    now: p.now,
    startedAt: '2026-11-27T12:00:00.000Z',
    finishedAt: '2026-11-27T12:00:02.500Z',
    durationMs: 2500,
    repositories,
    totals: {
      images: sum('images'),
      planned: sum('planned'),
      deleted: sum('deleted'),
      failed: sum('failed'),
      skipped: sum('skipped'),
      wouldDelete: sum('wouldDelete'),
      kept: sum('kept'),
      archived: sum('archived'),
      bytesFreed: sum('bytesFreed'),
      repositories: repositories.length,
      failedRepositories: repositories.filter((r) => r.status === 'failed').length,
    },
    apiCalls: { DescribeImages: 3 },
    retries: 0,
    throttles: 0,
    stoppedByDeadline: false,
    finishedRepositories: repositories.map((r) => r.repositoryName),
    remainingRepositories: [],
    ...extra,
  };
}
