/**
 * A checkpoint kept as a small index document plus one part per planned repository, shared by the
 * file and S3 stores. A sweep saves its checkpoint every 30 s and at each fixed point; rewriting
 * every stored plan each time (about 330 bytes per image, a third of a GiB for a million images)
 * cost a second of upload and a string that size per save. Now a repository's plan is written once,
 * when it is first saved, and each later save rewrites only the index (names and counts).
 *
 * Within one run (`runId`, `planNow`) a repository's stored plan never changes (the tracker stores
 * it once, as planned), so a part is named by those and the repository name, and a part already
 * written by this store, or read by it, is not written again.
 */
import { createHash } from 'node:crypto';
import { CheckpointError } from '../engine/errors.js';
import type { Checkpoint, StoredRepositoryPlan } from '../engine/types.js';
import { decodeCheckpointIndex, decodeStoredPlan, encodeCheckpoint, type CheckpointIndex } from './checkpoint-codec.js';

/** Where a store keeps the index and the parts: a file and a folder beside it, an object and a prefix. */
export interface CheckpointBlobs {
  /** The index text, or null when there is none. */
  readIndex(): Promise<string | null>;
  writeIndex(text: string): Promise<void>;
  /** A part's text; throws when it cannot be read (a missing part is a damaged checkpoint). */
  readPart(name: string): Promise<string>;
  writePart(name: string, text: string): Promise<void>;
  /** Removes the index and every part. */
  clear(): Promise<void>;
  /** A part's location, for messages. */
  wherePart(name: string): string;
  /** The index's location, for messages. */
  readonly where: string;
}

/** The part name of a repository's stored plan in run `runId` planned at `planNow`. */
export function planPartName(runId: string, planNow: string, repositoryName: string): string {
  return `${createHash('sha256').update(`${runId}\u0000${planNow}\u0000${repositoryName}`).digest('hex').slice(0, 40)}.json`;
}

/** Loads, saves and clears a parted checkpoint through `blobs`. */
export class PartedCheckpoint {
  /** Parts known to be stored: written by this store or read by it. */
  private readonly stored = new Set<string>();

  constructor(private readonly blobs: CheckpointBlobs) {}

  /** The checkpoint with its stored plans read from their parts (or inline, from an older checkpoint), or null. */
  async load(): Promise<Checkpoint | null> {
    const text = await this.blobs.readIndex();
    if (text === null) return null;
    const index = decodeCheckpointIndex(text, this.blobs.where);
    if (index.planParts === undefined) return index.checkpoint;
    const plans: StoredRepositoryPlan[] = [];
    for (const [i, entry] of index.planParts.entries()) {
      const where = this.blobs.wherePart(entry.part);
      let partText: string;
      try {
        partText = await this.blobs.readPart(entry.part);
      } catch (error) {
        throw new CheckpointError(`checkpoint ${this.blobs.where} is invalid: planParts[${i}] (${entry.repositoryName}): its part ${where} cannot be read`, { cause: error });
      }
      const stored = decodeStoredPlan(partText, where);
      if (stored.plan.repositoryName !== entry.repositoryName) {
        throw new CheckpointError(`checkpoint ${this.blobs.where} is invalid: planParts[${i}] names ${entry.repositoryName} but its part ${where} holds ${stored.plan.repositoryName}`);
      }
      this.stored.add(entry.part);
      plans.push(stored);
    }
    return { ...index.checkpoint, plannedRepositories: plans };
  }

  /** Writes the parts not stored yet, then the index that names them. */
  async save(checkpoint: Checkpoint): Promise<void> {
    const { plannedRepositories, ...rest } = checkpoint;
    if (plannedRepositories === undefined || rest.planNow === undefined) {
      await this.blobs.writeIndex(encodeCheckpoint(checkpoint));
      return;
    }
    const planParts: CheckpointIndex['planParts'] = [];
    for (const entry of plannedRepositories) {
      const part = planPartName(rest.runId, rest.planNow, entry.plan.repositoryName);
      if (!this.stored.has(part)) {
        await this.blobs.writePart(part, `${JSON.stringify(entry)}\n`);
        this.stored.add(part);
      }
      planParts.push({ repositoryName: entry.plan.repositoryName, part });
    }
    // The index last: it never names a part that is not stored yet.
    await this.blobs.writeIndex(`${JSON.stringify({ ...rest, version: 3, planParts })}\n`);
  }

  /** Removes the index and every part. */
  async clear(): Promise<void> {
    await this.blobs.clear();
    this.stored.clear();
  }
}
