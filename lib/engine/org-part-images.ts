/**
 * The organization steps that read every shard's part (RecordPlan, Finish) move each part's images
 * into the invocation's image part store as the part is read (issue 10 §3): only the shard being
 * read has its images in memory, and the merged plan and result read them back one repository at
 * a time when they are written (the run merge copies repositories without reading `images`).
 */
import type { PlanPart, ResultPart } from '../core/org-run.js';
import type { Plan } from '../core/plan-model.js';
import type { SweepResult } from '../core/result-model.js';
import { planAside, resultAside } from './image-parts.js';
import type { ImagePartStore } from './types.js';

/**
 * `part` with its plan's and dry-run result's images in `store`, or `part` itself without a store.
 * Keys are the part kind, shard id and repository name: unique across the run's targets and
 * shards, and a shard's plan part never overwrites its result part's images.
 */
export function planPartAside(store: ImagePartStore | undefined, part: PlanPart | null): PlanPart | null {
  if (!store || !part) return part;
  const out: PlanPart = { ...part };
  if (part.plan) out.plan = planImagesAside(store, part.plan, `plan-part\u0000${part.shardId}`);
  if (part.result) out.result = resultImagesAside(store, part.result, `plan-part\u0000${part.shardId}`);
  return out;
}

/** `part` with its result's images in `store`, or `part` itself without a store; see {@link planPartAside}. */
export function resultPartAside(store: ImagePartStore | undefined, part: ResultPart | null): ResultPart | null {
  if (!store || !part?.result) return part;
  return { ...part, result: resultImagesAside(store, part.result, `result-part\u0000${part.shardId}`) };
}

function planImagesAside(store: ImagePartStore, plan: Plan, prefix: string): Plan {
  return { ...plan, repositories: plan.repositories.map((r) => planAside(store, r, `${prefix}\u0000${r.repositoryName}`)) };
}

function resultImagesAside(store: ImagePartStore, result: SweepResult, prefix: string): SweepResult {
  return { ...result, repositories: result.repositories.map((r) => resultAside(store, r, `${prefix}\u0000${r.repositoryName}`)) };
}
