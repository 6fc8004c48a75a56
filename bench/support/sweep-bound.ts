/**
 * The fewest ECR calls a sweep can make, per operation, computed from its result (what it listed,
 * planned and transitioned), never from the calls it made: bench:sweep and bench:org print the
 * calls against it. The derivation is in docs/engine.md.
 */
import type { RepositoryResult, SweepResult } from '../../lib/core/result-model.js';
import { selectPolicy } from '../../lib/core/repository-match.js';
import type { RuleSet } from '../../lib/core/rules-model.js';

/** The ECR operations a sweep uses, in the order the benchmarks print them. */
export const OPERATIONS = ['DescribeRepositories', 'ListTagsForResource', 'DescribeImages', 'ListImages', 'BatchGetImage', 'BatchDeleteImage', 'UpdateImageStorageClass'];

/** The fewest calls that can do this sweep (see docs/engine.md). */
export function lowerBound(result: SweepResult, ruleSet: RuleSet): Record<string, number> {
  const repos = result.repositories;
  // One tag read for each repository a tag-selecting policy could govern, none without such a policy.
  const tagReads = repos.filter((r) => selectPolicy(r.repositoryName, ruleSet).needsTags).length;
  const perRepo = (f: (r: RepositoryResult) => number): number => repos.reduce((n, r) => n + f(r), 0);
  const deleteCalls = perRepo((r) => Math.ceil(r.counts.planned / 100));
  // UpdateImageStorageClass takes one image per call; each up-to-100 of them is re-read first, like a delete batch.
  const transitions = perRepo((r) => r.images.filter((i) => i.decision === 'transition').length);
  const transitionRereads = perRepo((r) => Math.ceil(r.images.filter((i) => i.decision === 'transition').length / 100));
  // Index reads, and the describe of the indexes just read that tells the sweep's own pulls apart.
  const indexCalls = perRepo((r) => Math.ceil(r.images.filter((i) => i.role === 'index').length / 100));
  return {
    DescribeRepositories: Math.max(1, Math.ceil(repos.length / 1000)),
    ListTagsForResource: tagReads,
    DescribeImages: perRepo((r) => Math.max(1, Math.ceil(r.images.length / 1000))) + indexCalls + deleteCalls + transitionRereads,
    BatchGetImage: indexCalls,
    BatchDeleteImage: deleteCalls,
    UpdateImageStorageClass: transitions,
  };
}
