/**
 * Reading and writing the checkpoint document, shared by the file and S3 stores so both
 * validate the same way: a damaged checkpoint is an error naming where it came from.
 */
import { CheckpointError } from '../engine/errors.js';
import type { Checkpoint, StoredRepositoryPlan } from '../engine/types.js';

/**
 * Serialises a checkpoint whole: compact JSON, one line. The stores write a parted checkpoint
 * instead (`checkpoint-parts.ts`: an index and one part per stored plan); this form, with the
 * plans inline (version 2), is what they wrote before and still read.
 */
export function encodeCheckpoint(checkpoint: Checkpoint): string {
  return `${JSON.stringify(checkpoint)}\n`;
}

/** A parted checkpoint's index entry: a stored plan kept in its own part. */
export interface PlanPartRef {
  repositoryName: string;
  /** The part's name (`<40 hex>.json`), relative to the store's parts folder or prefix. */
  part: string;
}

/** A checkpoint's index document as read: the checkpoint, and where its stored plans are when parted. */
export interface CheckpointIndex {
  /** Without `plannedRepositories` when parted (they are in the parts). */
  checkpoint: Checkpoint;
  planParts?: PlanPartRef[];
}

const PART_NAME = /^[0-9a-f]{40}\.json$/;

/**
 * Parses and validates a checkpoint index: version 3 (parted: `planParts` names a part per stored
 * plan, read by the store) or an older whole checkpoint (version 1, or 2 with the plans inline).
 */
export function decodeCheckpointIndex(text: string, where: string): CheckpointIndex {
  const parsed = parseObject(text, where);
  if (parsed.version !== 3) return { checkpoint: decodeCheckpoint(text, where) };
  const { planParts, ...rest } = parsed as { planParts?: unknown } & Record<string, unknown>;
  const problems: string[] = [];
  if (!Array.isArray(planParts)) problems.push('planParts must be an array');
  else {
    if (rest.planNow === undefined) problems.push('planNow is required with planParts');
    planParts.forEach((entry: unknown, i) => {
      const e = entry as Partial<PlanPartRef> | null;
      if (typeof e !== 'object' || e === null || typeof e.repositoryName !== 'string' || e.repositoryName === '') problems.push(`planParts[${i}].repositoryName must be a non-empty string`);
      else if (typeof e.part !== 'string' || !PART_NAME.test(e.part)) problems.push(`planParts[${i}].part must be a part name (40 hex digits .json)`);
    });
  }
  if (problems.length > 0) throw new CheckpointError(`checkpoint ${where} is invalid: ${problems.join('; ')}`);
  const checkpoint = decodeCheckpoint(JSON.stringify({ ...rest, version: 2 }), where);
  return { checkpoint, planParts: planParts as PlanPartRef[] };
}

/** Parses and validates one stored repository plan (a part of a parted checkpoint). */
export function decodeStoredPlan(text: string, where: string): StoredRepositoryPlan {
  const parsed = parseObject(text, where);
  const problem = storedPlanProblem(parsed);
  if (problem) throw new CheckpointError(`checkpoint part ${where} is invalid: ${problem}`);
  return parsed as unknown as StoredRepositoryPlan;
}

function parseObject(text: string, where: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new CheckpointError(`checkpoint ${where} is not valid JSON`, { cause: error });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new CheckpointError(`checkpoint ${where} is not a JSON object`);
  return parsed as Record<string, unknown>;
}

/** Parses and validates a whole checkpoint (version 1 or 2); `where` names the file or object in errors. */
export function decodeCheckpoint(text: string, where: string): Checkpoint {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new CheckpointError(`checkpoint ${where} is not valid JSON`, { cause: error });
  }
  const c = parsed as Partial<Checkpoint> | null;
  const problems: string[] = [];
  if (typeof c !== 'object' || c === null) throw new CheckpointError(`checkpoint ${where} is not a JSON object`);
  if (c.version !== 1 && c.version !== 2) problems.push(`version must be 1, 2 or 3, got ${JSON.stringify(c.version)}`);
  if (typeof c.runId !== 'string') problems.push('runId must be a string');
  if (typeof c.rulesHash !== 'string') problems.push('rulesHash must be a string');
  if (!Array.isArray(c.finishedRepositories) || !c.finishedRepositories.every((r) => typeof r === 'string')) {
    problems.push('finishedRepositories must be an array of strings');
  }
  if (typeof c.updatedAt !== 'string') problems.push('updatedAt must be a string');
  if (c.planNow !== undefined && (typeof c.planNow !== 'string' || Number.isNaN(Date.parse(c.planNow)))) {
    problems.push('planNow must be an ISO-8601 time');
  }
  if (c.deletionsSent !== undefined && !(Number.isInteger(c.deletionsSent) && c.deletionsSent >= 0)) {
    problems.push('deletionsSent must be a non-negative integer');
  }
  if (c.plannedRepositories !== undefined) {
    if (!Array.isArray(c.plannedRepositories)) problems.push('plannedRepositories must be an array');
    else {
      if (c.planNow === undefined) problems.push('planNow is required with plannedRepositories');
      c.plannedRepositories.forEach((entry, i) => {
        const problem = storedPlanProblem(entry);
        if (problem) problems.push(`plannedRepositories[${i}]: ${problem}`);
      });
    }
  }
  if (problems.length > 0) throw new CheckpointError(`checkpoint ${where} is invalid: ${problems.join('; ')}`);
  return c as Checkpoint;
}

const DECISIONS = new Set(['delete', 'keep', 'transition']);
const STATUSES = new Set(['planned', 'blocked', 'protected', 'unmanaged']);

/**
 * What is wrong with one stored repository plan, or null. Checks what execution relies on (the
 * repository, each image's digest, decision and tags), so a damaged plan is refused as a whole
 * instead of deleting by half a record.
 */
function storedPlanProblem(entry: unknown): string | null {
  const e = entry as Partial<StoredRepositoryPlan> | null;
  if (typeof e !== 'object' || e === null || typeof e.plan !== 'object' || e.plan === null) return 'must be an object with a plan';
  const plan = e.plan;
  if (typeof plan.repositoryName !== 'string' || plan.repositoryName === '') return 'plan.repositoryName must be a non-empty string';
  if (!STATUSES.has(plan.status as string)) return `plan.status must be one of ${[...STATUSES].join(', ')}`;
  if (typeof plan.counts !== 'object' || plan.counts === null || !Number.isInteger(plan.counts.delete)) return 'plan.counts.delete must be an integer';
  if (!Array.isArray(plan.images)) return 'plan.images must be an array';
  for (const [j, image] of plan.images.entries()) {
    if (typeof image?.imageDigest !== 'string' || image.imageDigest === '') return `plan.images[${j}].imageDigest must be a string`;
    if (!DECISIONS.has(image.decision)) return `plan.images[${j}].decision must be delete, keep or transition`;
    if (!Array.isArray(image.imageTags) || !image.imageTags.every((t) => typeof t === 'string')) return `plan.images[${j}].imageTags must be an array of strings`;
  }
  const deletes = plan.images.filter((i) => i.decision === 'delete').length;
  if (plan.status === 'planned' && deletes !== plan.counts.delete) return `plan.counts.delete is ${plan.counts.delete} but ${deletes} image(s) are marked delete`;
  return null;
}
