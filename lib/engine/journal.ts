/**
 * The result journal: as the sweep deletes, one JSON line per image goes to a {@link JournalStore}
 * (a local file, or S3 part objects), so a run killed outright (`kill -9`, a Lambda timeout) still
 * leaves a record of every deletion it made, and the next run of the same sweep (same run id, from
 * the checkpoint) merges that record into its result.
 *
 * What is written and when: `sending` lines for a batch's images before its BatchDeleteImage call,
 * `delete-answer` lines once the call answers (or fails), and when a repository ends, an `outcome`
 * line per planned deletion and a `repository` line. An image with a `sending` line and no answer
 * was in a call in flight when the run died: it may or may not be deleted; the next run finds out.
 */
import type { Outcome } from '../core/result-model.js';
import { JournalError } from './errors.js';
import type { DeleteBatchResult, Registry } from './ports.js';
import type { JournalRecord, JournalStore } from './types.js';

/**
 * Appends records of one run with group commit: records handed over while a write is in flight go
 * out together in the next write, so concurrent batches share writes (one S3 part per write).
 * Each caller's promise resolves once its records are durable.
 */
export class JournalWriter {
  private queue: { records: readonly JournalRecord[]; resolve: () => void; reject: (error: unknown) => void }[] = [];
  private draining = false;

  constructor(
    private readonly store: JournalStore,
    readonly runId: string,
    private readonly clock: () => number,
  ) {}

  /** ISO time for a record. */
  now(): string {
    return new Date(this.clock()).toISOString();
  }

  /** Appends `records`; rejects with {@link JournalError} when they could not be written. */
  write(records: readonly JournalRecord[]): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ records, resolve, reject });
      if (!this.draining) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.draining = true;
    while (this.queue.length > 0) {
      const group = this.queue.splice(0);
      try {
        await this.store.append(this.runId, group.flatMap((g) => g.records));
        for (const g of group) g.resolve();
      } catch (error) {
        const wrapped = error instanceof JournalError ? error : new JournalError(`the journal ${this.store.where} could not be written: ${messageOf(error)}`, { cause: error });
        for (const g of group) g.reject(wrapped);
      }
    }
    this.draining = false;
  }
}

/**
 * `registry` with every BatchDeleteImage journaled: `sending` lines first (if they cannot be
 * written, the call is not sent, `onFailure` stops the sweep and the error fails the batch), then
 * the answer (if that cannot be written, `onFailure` stops the sweep, and the answer is still
 * returned so the result records the deletions).
 */
export function journaledRegistry(registry: Registry, journal: JournalWriter, onFailure: (error: unknown) => void): Registry {
  const line = (repositoryName: string, imageDigest: string) => ({ runId: journal.runId, at: journal.now(), repositoryName, imageDigest });
  const deleteImages: Registry['deleteImages'] = async (repositoryName, digests) => {
    try {
      await journal.write(digests.map((d) => ({ event: 'sending' as const, ...line(repositoryName, d) })));
    } catch (error) {
      onFailure(error);
      throw error;
    }
    let answer: DeleteBatchResult;
    try {
      answer = await registry.deleteImages(repositoryName, digests);
    } catch (error) {
      const code = (error as { name?: string }).name ?? 'Error';
      await journal
        .write(digests.map((d) => ({ event: 'delete-answer' as const, ...line(repositoryName, d), answer: 'call-failed' as const, code, message: messageOf(error) })))
        .catch(onFailure);
      throw error;
    }
    const records: JournalRecord[] = answer.deleted.map((d) => ({ event: 'delete-answer', ...line(repositoryName, d), answer: 'deleted' }));
    for (const f of answer.failures) {
      records.push({
        event: 'delete-answer',
        ...line(repositoryName, f.imageDigest),
        answer: f.code === 'ImageNotFound' ? 'not-found' : 'refused',
        code: f.code,
        message: f.message,
      });
    }
    await journal.write(records).catch(onFailure);
    return answer;
  };
  // Every other member is the registry's own, called on the registry itself (so private state works).
  return new Proxy(registry, {
    get(target, property) {
      if (property === 'deleteImages') return deleteImages;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** What earlier runs of a sweep recorded, by repository. */
export interface JournalSummary {
  /** Images BatchDeleteImage reported deleted (not already gone). */
  deleted: Map<string, Set<string>>;
  /** Images sent in a call with no answer recorded (the run died during the call), or whose call failed. */
  unanswered: Map<string, Set<string>>;
  /** Repositories that ended, with their status and every planned deletion's outcome. */
  ended: Map<string, EndedRepository>;
}

/** A repository's end as the journal recorded it. */
export interface EndedRepository {
  status: 'completed' | 'failed' | 'not-started' | 'blocked';
  statusReason?: string;
  error?: { code: string; message: string };
  outcomes: Map<string, Outcome>;
}

/** Folds journal records (in write order) into a {@link JournalSummary}. Pure. */
export function summarizeJournal(records: readonly JournalRecord[]): JournalSummary {
  const deleted = new Map<string, Set<string>>();
  const pending = new Map<string, Set<string>>();
  const ended = new Map<string, EndedRepository>();
  const outcomes = new Map<string, Map<string, Outcome>>();
  const setOf = (map: Map<string, Set<string>>, key: string): Set<string> => {
    let set = map.get(key);
    if (!set) map.set(key, (set = new Set()));
    return set;
  };
  for (const r of records) {
    if (r.event === 'sending') setOf(pending, r.repositoryName).add(r.imageDigest);
    else if (r.event === 'delete-answer') {
      // A call that failed (a lost answer, a reset connection) may still have deleted: it stays open.
      if (r.answer !== 'call-failed') pending.get(r.repositoryName)?.delete(r.imageDigest);
      if (r.answer === 'deleted') setOf(deleted, r.repositoryName).add(r.imageDigest);
    } else if (r.event === 'outcome') {
      let map = outcomes.get(r.repositoryName);
      if (!map) outcomes.set(r.repositoryName, (map = new Map()));
      map.set(r.imageDigest, r.outcome);
    } else {
      const end: EndedRepository = { status: r.status, outcomes: outcomes.get(r.repositoryName) ?? new Map() };
      if (r.statusReason !== undefined) end.statusReason = r.statusReason;
      if (r.error) end.error = r.error;
      ended.set(r.repositoryName, end);
      outcomes.delete(r.repositoryName);
    }
  }
  const unanswered = new Map([...pending].filter(([, set]) => set.size > 0));
  return { deleted, unanswered, ended };
}

/**
 * The outcome of an image for the result of a resumed run, given what this run found (`current`,
 * undefined when this run did not act on it) and what earlier runs recorded. An image an earlier
 * run deleted is `deleted` (with its bytes), not "already gone" or "skipped"; an image that was in
 * a call in flight when an earlier run died and is gone now is attributed to that call.
 */
export function mergeOutcome(current: Outcome | undefined, digest: string, repository: string, journal: JournalSummary): Outcome | undefined {
  const deletedEarlier = journal.deleted.get(repository)?.has(digest) === true;
  const inFlightEarlier = journal.unanswered.get(repository)?.has(digest) === true;
  if (current?.status === 'deleted' && current.alreadyGone === true && (deletedEarlier || inFlightEarlier)) return { status: 'deleted' };
  if (current?.status === 'deleted') return current;
  if (deletedEarlier) return { status: 'deleted' };
  return current;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
