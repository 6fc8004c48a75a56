/**
 * What the tool remembers of the index manifests it has read, and how that memory keeps its own
 * reads from counting as pulls. Reading an index (BatchGetImage) is a pull in ECR: without this,
 * every plan would make every multi-arch index look freshly pulled to the next one. An index's
 * children never change for a given digest, so each index is read once in its life and its
 * children are remembered; with them, when it was read and the last pull time it had just before.
 * Times are epoch milliseconds.
 */

/** What is remembered of one index manifest, by digest. */
export interface IndexReadRecord {
  /** The digests the index lists (content-addressed: they never change for the digest). */
  childDigests: readonly string[];
  /** The index's manifest media type. */
  mediaType?: string;
  /** The repository whose copy was read: pull times are per repository. */
  repositoryName: string;
  /** When the BatchGetImage call that read it was sent (this tool's clock). */
  readStartedAt: number;
  /** When its answer came back (this tool's clock). */
  readAt: number;
  /** The index's last recorded pull time just before the read; undefined when never pulled. */
  lastPulledBefore?: number;
  /**
   * The last recorded pull time ECR showed just after the read (a DescribeImages after it), when
   * the read moved it: the exact time ECR recorded for this tool's read. Undefined when the read
   * did not move it (the principal is a pull-time update exclusion).
   */
  pullTimeAfterRead?: number;
  /** When a run last found the digest in a listing. */
  seenAt: number;
}

/** Index digest → what is remembered of it. */
export type IndexMemory = ReadonlyMap<string, IndexReadRecord>;

/**
 * How far a recorded pull time may lie outside the read's own window and still be the read, used
 * only when ECR showed no pull time for the read just after it (an excluded principal, or a
 * registry that records pulls late): its clock and ours differ by a little.
 */
export const OWN_READ_TOLERANCE_MS = 5_000;

/** Entries not found by any run for this long are forgotten (an index not listed for half a year). */
export const DEFAULT_FORGET_UNSEEN_MS = 180 * 24 * 3_600_000;

/** Upper bound on remembered indexes; the least recently seen go first. */
export const DEFAULT_MAX_ENTRIES = 200_000;

/**
 * The last pull time of an index in `repositoryName`, not counting this tool's own read. The read
 * set the registry's value `current` when `current` is no later than the pull time ECR showed just
 * after the read (`pullTimeAfterRead`, exact); when ECR showed none, when `current` lies within
 * {@link OWN_READ_TOLERANCE_MS} of the read's window. Then the pull time from just before the read
 * is the real one. Any later value is someone's pull and is returned unchanged, as is everything
 * for an index read in another repository or never read.
 *
 * @example
 * ```ts
 * const read = { repositoryName: 'app', readStartedAt: 1_000_000, readAt: 1_000_400, pullTimeAfterRead: 1_000_200, lastPulledBefore: 5_000, childDigests: [], seenAt: 0 };
 * pullTimeWithoutOwnRead(1_000_200, 'app', read); // 5_000: the recorded pull was our read
 * pullTimeWithoutOwnRead(2_000_000, 'app', read); // 2_000_000: pulled after our read
 * ```
 */
export function pullTimeWithoutOwnRead(
  current: number | undefined,
  repositoryName: string,
  read: IndexReadRecord | undefined,
  toleranceMs: number = OWN_READ_TOLERANCE_MS,
): number | undefined {
  if (current === undefined || read === undefined || read.repositoryName !== repositoryName) return current;
  const isOwnRead =
    read.pullTimeAfterRead !== undefined
      ? current <= read.pullTimeAfterRead
      : current >= read.readStartedAt - toleranceMs && current <= read.readAt + toleranceMs;
  return isOwnRead ? read.lastPulledBefore : current;
}

/** What one run learned, to be merged into the stored memory. */
export interface IndexMemoryUpdate {
  /** Every index the run found: new reads and remembered ones, with `seenAt` set to the run's time. */
  entries: IndexMemory;
  /** Repositories the run listed completely: a remembered index read there and not found again is gone. */
  listedRepositories: ReadonlySet<string>;
  /** The run's time. */
  now: number;
}

/** Limits of {@link mergeIndexMemory}. */
export interface IndexMemoryLimits {
  forgetUnseenMs?: number;
  maxEntries?: number;
}

/**
 * The stored memory after a run: the run's entries added to what is stored (which another run may
 * have written meanwhile), then pruned. An index is forgotten when the repository it was read in
 * was listed and it was not found anywhere (deleted), when no run has found it for
 * `forgetUnseenMs`, or, beyond `maxEntries`, when it is the least recently seen. When both sides
 * read the same index (two runs at once), the later read's window is kept with the pull time from
 * before the earlier read, so neither read counts as a pull.
 *
 * @example
 * ```ts
 * const stored = mergeIndexMemory(await store.load(), { entries, listedRepositories, now });
 * ```
 */
export function mergeIndexMemory(
  stored: IndexMemory,
  update: IndexMemoryUpdate,
  limits: IndexMemoryLimits = {},
): Map<string, IndexReadRecord> {
  const forgetUnseenMs = limits.forgetUnseenMs ?? DEFAULT_FORGET_UNSEEN_MS;
  const maxEntries = limits.maxEntries ?? DEFAULT_MAX_ENTRIES;
  const merged = new Map<string, IndexReadRecord>();
  for (const [digest, record] of stored) {
    if (update.entries.has(digest)) continue;
    const gone = update.listedRepositories.has(record.repositoryName);
    const stale = update.now - record.seenAt > forgetUnseenMs;
    if (!gone && !stale) merged.set(digest, record);
  }
  for (const [digest, record] of update.entries) {
    const other = stored.get(digest);
    merged.set(digest, other === undefined ? record : combineReads(other, record));
  }
  if (merged.size <= maxEntries) return merged;
  const newestFirst = [...merged].sort(([a, x], [b, y]) => y.seenAt - x.seenAt || (a < b ? -1 : a > b ? 1 : 0));
  return new Map(newestFirst.slice(0, Math.max(0, maxEntries)));
}

/** One record for an index both sides remember. */
function combineReads(stored: IndexReadRecord, fresh: IndexReadRecord): IndexReadRecord {
  const seenAt = Math.max(stored.seenAt, fresh.seenAt);
  if (stored.repositoryName !== fresh.repositoryName) {
    // The same index read in two repositories: keep the earlier read (its repository's pull time is the one corrected).
    const earlier = stored.readStartedAt <= fresh.readStartedAt ? stored : fresh;
    return { ...earlier, seenAt };
  }
  if (stored.readStartedAt === fresh.readStartedAt && stored.readAt === fresh.readAt) {
    return { ...fresh, seenAt };
  }
  const [earlier, later] = stored.readStartedAt <= fresh.readStartedAt ? [stored, fresh] : [fresh, stored];
  const lastPulledBefore = pullTimeWithoutOwnRead(later.lastPulledBefore, later.repositoryName, earlier);
  const combined: IndexReadRecord = { ...later, seenAt };
  if (lastPulledBefore === undefined) delete combined.lastPulledBefore;
  else combined.lastPulledBefore = lastPulledBefore;
  return combined;
}
