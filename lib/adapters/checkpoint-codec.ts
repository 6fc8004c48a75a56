/**
 * Reading and writing the checkpoint document, shared by the file and S3 stores so both
 * validate the same way: a damaged checkpoint is an error naming where it came from.
 */
import { CheckpointError } from '../engine/errors.js';
import type { Checkpoint } from '../engine/types.js';

/** Serialises a checkpoint (stable, readable JSON). */
export function encodeCheckpoint(checkpoint: Checkpoint): string {
  return `${JSON.stringify(checkpoint, null, 2)}\n`;
}

/** Parses and validates a checkpoint; `where` names the file or object in errors. */
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
  if (c.version !== 1) problems.push(`version must be 1, got ${JSON.stringify(c.version)}`);
  if (typeof c.runId !== 'string') problems.push('runId must be a string');
  if (typeof c.rulesHash !== 'string') problems.push('rulesHash must be a string');
  if (!Array.isArray(c.finishedRepositories) || !c.finishedRepositories.every((r) => typeof r === 'string')) {
    problems.push('finishedRepositories must be an array of strings');
  }
  if (typeof c.updatedAt !== 'string') problems.push('updatedAt must be a string');
  if (problems.length > 0) throw new CheckpointError(`checkpoint ${where} is invalid: ${problems.join('; ')}`);
  return c as Checkpoint;
}
