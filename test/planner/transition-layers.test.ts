/**
 * transitionLayers: the order the engine archives a repository's planned transitions in. ECR
 * refuses to archive a manifest that an index which is not archived lists, so indexes come first.
 */
import { describe, expect, it } from 'vitest';
import type { Decision, PlannedImage, RepositoryPlan } from '../../lib/core/plan-model.js';
import { deletionLayers, transitionLayers } from '../../lib/core/planner.js';

function image(name: string, decision: Decision, extra: Partial<PlannedImage> = {}): PlannedImage {
  return {
    imageDigest: `sha256:${name}`,
    imageTags: [],
    pushedAt: '2026-01-01T00:00:00.000Z',
    lastPulledAt: null,
    sizeInBytes: 1,
    role: 'image',
    decision,
    rule: 'r',
    reason: `${decision}: test`,
    ...extra,
  };
}

function plan(images: PlannedImage[]): RepositoryPlan {
  return { repositoryName: 'repo', policy: 'p', status: 'planned', images, counts: { images: images.length, delete: 0, keep: 0, transition: 0, bytesToFree: 0 } };
}

const names = (layers: PlannedImage[][]): string[][] => layers.map((l) => l.map((i) => i.imageDigest.slice('sha256:'.length)));

describe('transitionLayers', () => {
  it('puts indexes before their children and referrers before their subject; only transitions', () => {
    const p = plan([
      image('c1', 'transition', { role: 'child', parentDigests: ['sha256:idx'] }),
      image('c2', 'transition', { role: 'child', parentDigests: ['sha256:idx'] }),
      image('idx', 'transition', { role: 'index' }),
      image('sig', 'transition', { role: 'referrer', subjectDigest: 'sha256:subj' }),
      image('subj', 'transition'),
      image('plain', 'transition'),
      image('gone', 'delete'),
      image('kept', 'keep'),
    ]);
    expect(names(transitionLayers(p))).toEqual([['idx', 'plain', 'sig'], ['c1', 'c2', 'subj']]);
    expect(names(deletionLayers(p))).toEqual([['gone']]);
  });

  it('is empty when nothing is planned for transition', () => {
    expect(transitionLayers(plan([image('a', 'delete'), image('b', 'keep')]))).toEqual([]);
  });
});
