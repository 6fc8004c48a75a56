/**
 * The history of runs kept in the report store, and the decisions of the last run: what the
 * trend chart and the diff against the last run are drawn from. Pure: the stores only read and
 * write what these functions build and check.
 */
import type { Decision } from './plan-model.js';
import type { SweepResult } from './result-model.js';
import { imagesListed, runFigures } from './report-summary.js';

/** Runs kept in the history; older ones are dropped when a run is appended. */
export const HISTORY_LIMIT = 90;

/** One repository's figures in a run summary. */
export interface RepositoryHistory {
  images: number;
  /** Sizes of its listed images (index manifests left out). */
  bytes: number;
  /** Deleted (apply) or would delete (dry run). */
  deletions: number;
  /** Failed deletions, plus 1 when the repository itself failed. */
  failures: number;
}

/** One run, as the history keeps it. */
export interface RunHistoryEntry {
  version: 1;
  runId: string;
  /** The run's evaluation time. */
  now: string;
  mode: SweepResult['mode'];
  /** Images seen. */
  images: number;
  /** The registry's size as the run saw it (before its deletions): sizes of listed images, index manifests left out. */
  bytes: number;
  /** Deleted (apply) or would delete (dry run). */
  deletions: number;
  /** Bytes freed (apply) or that would be freed (dry run). */
  bytesRemoved: number;
  /** Failed deletions plus failed repositories. */
  failures: number;
  repositories: Record<string, RepositoryHistory>;
}

/** The summary of a run to append to the history, from the run's own figures. */
export function historyEntry(result: SweepResult): RunHistoryEntry {
  const figures = runFigures(result);
  const repositories: Record<string, RepositoryHistory> = {};
  let bytes = 0;
  for (const repository of result.repositories) {
    // A repository never listed has no figures, except a failed one: its failure is one.
    if (!imagesListed(repository) && repository.status !== 'failed') continue;
    let repositoryBytes = 0;
    for (const image of repository.images) if (image.role !== 'index') repositoryBytes += image.sizeInBytes ?? 0;
    bytes += repositoryBytes;
    repositories[repository.repositoryName] = {
      images: repository.images.length,
      bytes: repositoryBytes,
      deletions: figures.dryRun ? repository.counts.wouldDelete : repository.counts.deleted,
      failures: repository.counts.failed + (repository.status === 'failed' ? 1 : 0),
    };
  }
  return {
    version: 1,
    runId: result.runId,
    now: result.now,
    mode: result.mode,
    images: figures.images,
    bytes,
    deletions: figures.dryRun ? figures.wouldDelete : figures.deleted,
    bytesRemoved: figures.dryRun ? figures.bytesWouldFree : figures.bytesFreed,
    failures: figures.failedDeletions + figures.failedRepositories,
    repositories,
  };
}

/**
 * The history with `entry` appended: one entry per run id (a rerun replaces it), in evaluation
 * order, the last {@link HISTORY_LIMIT} kept.
 */
export function appendHistory(history: readonly RunHistoryEntry[], entry: RunHistoryEntry, limit = HISTORY_LIMIT): RunHistoryEntry[] {
  const runs = history.filter((h) => h.runId !== entry.runId);
  runs.push(entry);
  runs.sort((a, b) => Date.parse(a.now) - Date.parse(b.now) || (a.runId < b.runId ? -1 : a.runId > b.runId ? 1 : 0));
  return runs.slice(-Math.max(1, Math.floor(limit)));
}

/** The history as JSON Lines, one run per line, oldest first. */
export function historyToJsonLines(history: readonly RunHistoryEntry[]): string {
  return history.map((h) => `${JSON.stringify(h)}\n`).join('');
}

/**
 * Reads JSON Lines written by {@link historyToJsonLines}. A line that is not a run summary (a
 * truncated write, a hand edit) is skipped and reported, never fatal: losing one point of a trend
 * must not stop a report.
 */
export function parseHistory(text: string): { runs: RunHistoryEntry[]; skipped: number } {
  const runs: RunHistoryEntry[] = [];
  let skipped = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const value = JSON.parse(line) as unknown;
      if (isHistoryEntry(value)) runs.push(value);
      else skipped += 1;
    } catch {
      skipped += 1;
    }
  }
  return { runs: runs.slice(-HISTORY_LIMIT), skipped };
}

function isHistoryEntry(value: unknown): value is RunHistoryEntry {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  const numbers = ['images', 'bytes', 'deletions', 'bytesRemoved', 'failures'].every((k) => typeof v[k] === 'number' && Number.isFinite(v[k]));
  return v.version === 1 && typeof v.runId === 'string' && typeof v.now === 'string' && !Number.isNaN(Date.parse(v.now)) && numbers && typeof v.repositories === 'object' && v.repositories !== null;
}

/** One image's decision as the digest of a run keeps it: decision, rule, reason, tags. */
export type ImageDecision = [Decision, string | null, string, string[]];

/** Every decision of a run, compact, to diff the next run against. */
export interface DecisionDigest {
  version: 1;
  runId: string;
  now: string;
  repositories: Record<string, { status: string; reason: string; images: Record<string, ImageDecision> }>;
}

/**
 * The decisions of a run, keyed by repository and digest. Each repository's entry is built when it
 * is read (an enumerable getter), so a writer that streams the digest (`jsonChunks`) holds one
 * repository's decisions at a time, not a million images' (about 550 MiB of heap).
 */
export function decisionDigest(result: SweepResult): DecisionDigest {
  const repositories: DecisionDigest['repositories'] = {};
  for (const r of result.repositories) {
    Object.defineProperty(repositories, r.repositoryName, { enumerable: true, configurable: true, get: () => repositoryDecisions(r) });
  }
  return { version: 1, runId: result.runId, now: result.now, repositories };
}

function repositoryDecisions(r: SweepResult['repositories'][number]): DecisionDigest['repositories'][string] {
  const images: Record<string, ImageDecision> = {};
  for (const image of r.images) images[image.imageDigest] = [image.decision, image.rule, image.reason, image.imageTags];
  return { status: r.status, reason: repositoryReason(r), images };
}

/** Reads a digest written by {@link decisionDigest}; null when it is not one (then there is no diff, and the report says why). */
export function parseDecisionDigest(text: string): DecisionDigest | null {
  try {
    const value = JSON.parse(text) as Partial<DecisionDigest>;
    if (value.version !== 1 || typeof value.runId !== 'string' || typeof value.now !== 'string' || typeof value.repositories !== 'object' || value.repositories === null) return null;
    return value as DecisionDigest;
  } catch {
    return null;
  }
}

/** A repository whose status changed since the last run. */
export interface RepositoryChange {
  repositoryName: string;
  before: { status: string; reason: string };
  after: { status: string; reason: string };
}

/** An image, present in both runs, whose decision changed. */
export interface ImageChange {
  repositoryName: string;
  imageDigest: string;
  imageTags: string[];
  before: { decision: Decision; rule: string | null; reason: string };
  after: { decision: Decision; rule: string | null; reason: string };
}

/** What changed since the previous run. */
export interface DecisionChanges {
  previousRunId: string;
  previousNow: string;
  repositories: RepositoryChange[];
  images: ImageChange[];
}

/**
 * The repositories whose status changed and the images whose decision (delete, keep, transition)
 * changed between `previous` and `result`, each with both reasons. Images in only one of the runs
 * (pushed since, or deleted) are not changes of decision and are left out; so are repositories
 * that appear in only one. Null when there is no previous run to compare with.
 */
export function decisionChanges(previous: DecisionDigest | null, result: SweepResult): DecisionChanges | null {
  if (previous === null) return null;
  const repositories: RepositoryChange[] = [];
  const images: ImageChange[] = [];
  for (const r of result.repositories) {
    const before = previous.repositories[r.repositoryName];
    if (!before) continue;
    if (before.status !== r.status) {
      repositories.push({ repositoryName: r.repositoryName, before: { status: before.status, reason: before.reason }, after: { status: r.status, reason: repositoryReason(r) } });
    }
    for (const image of r.images) {
      const old = before.images[image.imageDigest];
      if (!old || old[0] === image.decision) continue;
      images.push({
        repositoryName: r.repositoryName,
        imageDigest: image.imageDigest,
        imageTags: image.imageTags,
        before: { decision: old[0], rule: old[1], reason: old[2] },
        after: { decision: image.decision, rule: image.rule, reason: image.reason },
      });
    }
  }
  return { previousRunId: previous.runId, previousNow: previous.now, repositories, images };
}

function repositoryReason(r: SweepResult['repositories'][number]): string {
  return r.error ? `${r.error.code}: ${r.error.message}` : (r.statusReason ?? '');
}
