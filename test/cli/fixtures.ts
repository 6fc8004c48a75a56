/**
 * The registry and rules the CLI end-to-end tests share. The clock is fixed so every age rule is
 * exact: the expected delete set below is derived by hand from the rules, not read from the plan.
 */
import type { StateFile } from '../../emulator/types.js';

export const NOW = '2026-11-27T12:00:00.000Z';

/** Three repositories: two governed by the `apps` policy, one no policy matches. */
export const STATE: StateFile = {
  now: NOW,
  repositories: [
    {
      name: 'app/api',
      images: [
        { tags: ['v1.0.0'], pushedAt: '-100d', sizeInBytes: 5_000 },
        { tags: ['v1.1.0'], pushedAt: '-50d', sizeInBytes: 5_000 },
        { tags: ['latest', 'v1.2.0'], pushedAt: '-2d', sizeInBytes: 5_000 },
        { pushedAt: '-30d', sizeInBytes: 1_000 },
        { pushedAt: '-20d', sizeInBytes: 2_000 },
        { pushedAt: '-1h', sizeInBytes: 3_000 },
      ],
    },
    {
      name: 'app/web',
      images: [
        { tags: ['pr-1'], pushedAt: '-40d', sizeInBytes: 4_000 },
        { tags: ['pr-2'], pushedAt: '-10d', sizeInBytes: 4_000 },
        { tags: ['main-abc'], pushedAt: '-5d', sizeInBytes: 4_000 },
        { pushedAt: '-15d', sizeInBytes: 500 },
      ],
    },
    {
      name: 'other/tools',
      images: [{ pushedAt: '-300d' }, { tags: ['pr-9'], pushedAt: '-300d' }],
    },
  ],
};

/**
 * The same registry with its clock frozen at the current time (whole seconds), for `apply`: apply
 * always evaluates at the real clock (it refuses `--now`), so ages must be relative to it.
 */
export function liveState(): StateFile {
  return { ...STATE, now: new Date(Math.floor(Date.now() / 1000) * 1000).toISOString() };
}

/**
 * What the rules below delete, identified by repository, tags and push age: untagged older than
 * 7d, and `pr-*` builds older than 14d. The 1h-old untagged image is inside the 1d grace period;
 * `other/tools` is governed by no policy.
 */
export const EXPECTED_DELETES: readonly { repository: string; tags: string[]; ageDays: number }[] = [
  { repository: 'app/api', tags: [], ageDays: 30 },
  { repository: 'app/api', tags: [], ageDays: 20 },
  { repository: 'app/web', tags: ['pr-1'], ageDays: 40 },
  { repository: 'app/web', tags: [], ageDays: 15 },
];
export const EXPECTED_BYTES = 1_000 + 2_000 + 4_000 + 500;

/** Rules for the scenario; `limits` replaces the defaults block's safety limits. */
export function rulesYaml(limits = 'maxDeletionsPerRun: null\n  maxDeletePercentPerRepository: null'): string {
  return `version: 1
defaults:
  minAge: 1d
  ${limits}
protect:
  tags: [latest]
policies:
  - name: apps
    repositories:
      include: ['app/**']
    rules:
      - id: untagged-7d
        select: { tagStatus: untagged }
        when: { sinceImagePushed: 7d }
      - id: pr-builds
        select: { tagStatus: tagged, tagPatterns: ['pr-*'] }
        when: { sinceImagePushed: 14d }
`;
}

/** A native lifecycle policy used by the import tests. */
export const NATIVE_POLICY = {
  rules: [
    {
      rulePriority: 1,
      description: 'keep 5 releases',
      selection: { tagStatus: 'tagged', tagPatternList: ['v*'], countType: 'imageCountMoreThan', countNumber: 5 },
      action: { type: 'expire' },
    },
    {
      rulePriority: 2,
      selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 14 },
      action: { type: 'expire' },
    },
  ],
};
