/**
 * Figures every report shares (HTML, Slack, CLI): per-repository totals, the top repositories
 * by bytes, the failure list and human-readable units. Pure: the renderers and the notifier
 * call it so a number never differs between the HTML report and the Slack message.
 */
import { formatDuration as formatDurationUnits, type Locale } from 'date-fns';
import { millisecondsInMinute, millisecondsInSecond, secondsInMinute } from 'date-fns/constants';
import { inUseKeptImages } from './in-use-ties.js';
import type { RepositoryResult, ResultImage, ResultTarget, SweepResult } from './result-model.js';

/** What one repository contributed to a run, as the chart and the Slack message show it. */
export interface RepositorySummary {
  repositoryName: string;
  /**
   * Apply: bytes the engine reports as freed. Dry run: bytes the planned deletions would free
   * (see {@link plannedBytes}), because nothing was freed and a chart of zeros says nothing.
   */
  bytes: number;
  /** Apply: images deleted. Dry run: images planned for deletion. */
  images: number;
  failed: number;
}

/** A failed deletion or a repository that could not be swept. */
export interface ReportFailure {
  repositoryName: string;
  /** Absent for a repository-level failure. */
  imageDigest?: string;
  imageTags: string[];
  code: string;
  message: string;
}

/** The top entries by bytes, and the rest folded into one "others" entry. */
export interface TopRepositories {
  top: RepositorySummary[];
  /** Null when nothing was left over. */
  others: (RepositorySummary & { repositories: number }) | null;
}

/** True for a dry run: nothing was deleted and every report must say so. */
export function isDryRun(result: Pick<SweepResult, 'mode'>): boolean {
  return result.mode !== 'apply';
}

/**
 * Bytes the planned deletions of a repository would free. Index manifests are left out because
 * ECR reports an index's size as that of its largest child, which is counted on its own; shared
 * layers are counted once per image, so this is an upper bound, as ECR's own sizes are.
 */
export function plannedBytes(repository: Pick<RepositoryResult, 'images'>): number {
  let total = 0;
  for (const image of repository.images) {
    if (image.decision === 'delete' && image.role !== 'index') total += image.sizeInBytes ?? 0;
  }
  return total;
}

/**
 * How a repository is named in a report row: its name, or in a multi-target run
 * `<account>/<Region>/<name>` (two targets may have a repository of the same name).
 */
export function repositoryLabel(repository: Pick<RepositoryResult, 'repositoryName' | 'target'>): string {
  return repository.target ? `${repository.target.accountId}/${repository.target.region}/${repository.repositoryName}` : repository.repositoryName;
}

/** One summary per repository, in result order, using the apply or dry-run measure. */
export function summarizeRepositories(result: Pick<SweepResult, 'mode' | 'repositories'>): RepositorySummary[] {
  const dryRun = isDryRun(result);
  return result.repositories.map((repository) => ({
    repositoryName: repositoryLabel(repository),
    bytes: dryRun ? plannedBytes(repository) : repository.counts.bytesFreed,
    images: dryRun ? repository.counts.planned : repository.counts.deleted,
    failed: repository.counts.failed,
  }));
}

/** Sum of the dry-run or apply byte measure over the whole run. */
export function totalBytes(result: Pick<SweepResult, 'mode' | 'repositories' | 'totals'>): number {
  if (!isDryRun(result)) return result.totals.bytesFreed;
  return result.repositories.reduce((sum, repository) => sum + plannedBytes(repository), 0);
}

/**
 * The `limit` repositories with the most bytes (then most images, then name), leaving out
 * repositories that contributed nothing; the remainder is folded into `others`.
 */
export function topRepositories(summaries: readonly RepositorySummary[], limit: number): TopRepositories {
  const contributing = summaries
    .filter((s) => s.bytes > 0 || s.images > 0)
    .sort((a, b) => b.bytes - a.bytes || b.images - a.images || compareText(a.repositoryName, b.repositoryName));
  const keep = Math.max(0, Math.floor(limit));
  const top = contributing.slice(0, keep);
  const rest = contributing.slice(keep);
  if (rest.length === 0) return { top, others: null };
  return {
    top,
    others: {
      repositoryName: `others (${rest.length} ${rest.length === 1 ? 'repository' : 'repositories'})`,
      repositories: rest.length,
      bytes: rest.reduce((sum, s) => sum + s.bytes, 0),
      images: rest.reduce((sum, s) => sum + s.images, 0),
      failed: rest.reduce((sum, s) => sum + s.failed, 0),
    },
  };
}

/**
 * Every failure of the run: repositories that could not be listed or swept first (status
 * `failed`), then failed deletions, in result order. Its length is always
 * `failedRepositories + failedDeletions` of {@link runFigures}.
 */
export function collectFailures(result: Pick<SweepResult, 'repositories'>): ReportFailure[] {
  const failures: ReportFailure[] = [];
  for (const repository of result.repositories) {
    if (repository.status === 'failed') {
      failures.push({
        repositoryName: repositoryLabel(repository),
        imageTags: [],
        code: repository.error?.code ?? 'RepositoryFailed',
        message: repository.error?.message ?? repository.statusReason ?? 'the repository could not be swept',
      });
    }
  }
  for (const repository of result.repositories) {
    for (const image of repository.images) {
      if (image.outcome.status === 'failed') {
        failures.push({
          repositoryName: repositoryLabel(repository),
          imageDigest: image.imageDigest,
          imageTags: image.imageTags,
          code: image.outcome.code,
          message: image.outcome.message,
        });
      }
    }
  }
  return failures;
}

/**
 * The run's counts, defined once for every renderer (CLI table, HTML, CSV, JSON, Slack): each is
 * the JSON result's own total, so no report can show a number the result does not hold.
 */
export interface RunFigures {
  dryRun: boolean;
  /** Every repository in the result, listed or not. */
  repositories: number;
  /** Repositories whose images were not read: protected, unmanaged, failed to list, not started. */
  notListedRepositories: number;
  /** Repositories that could not be listed or swept (status `failed`); each is one failure entry. */
  failedRepositories: number;
  /** Images seen in the repositories that were listed. */
  images: number;
  /** Images the plan marked for deletion. */
  planned: number;
  /** Images deleted (already-gone included); 0 in a dry run. */
  deleted: number;
  /** Dry run: planned deletions, none attempted; 0 in an apply run. */
  wouldDelete: number;
  /** Deletions ECR refused; each is one failure entry. */
  failedDeletions: number;
  /** Planned deletions an apply run did not attempt (changed since plan, deadline, abort). */
  skipped: number;
  kept: number;
  /** Images an apply run moved to archive storage (not deleted). */
  archived: number;
  /** Bytes actually freed; 0 in a dry run. */
  bytesFreed: number;
  /** Dry run: bytes the planned deletions would free (see {@link plannedBytes}); 0 in an apply run. */
  bytesWouldFree: number;
  /**
   * Images kept by in-use protection: in use (they carry `usages`), or an index, child, subject or
   * referrer tied to one ({@link inUseKeptImages}); 0 when no in-use source was scanned.
   */
  inUseKept: number;
  /** Multi-target runs: every target (0 in a single-target run). */
  targets: number;
  /** Targets that could not be swept at all; a run with one is never clean. */
  failedTargets: number;
}

/** The run's counts; see {@link RunFigures}. */
export function runFigures(result: Pick<SweepResult, 'mode' | 'repositories' | 'totals'>): RunFigures {
  const t = result.totals;
  const dryRun = isDryRun(result);
  return {
    dryRun,
    repositories: t.repositories,
    notListedRepositories: result.repositories.filter((r) => !imagesListed(r)).length,
    failedRepositories: t.failedRepositories,
    images: t.images,
    planned: t.planned,
    deleted: t.deleted,
    wouldDelete: t.wouldDelete,
    failedDeletions: t.failed,
    skipped: t.skipped,
    kept: t.kept,
    archived: t.archived,
    bytesFreed: dryRun ? 0 : t.bytesFreed,
    bytesWouldFree: dryRun ? totalBytes(result) : 0,
    inUseKept: inUseKeptImages(result.repositories),
    targets: t.targets ?? 0,
    failedTargets: t.failedTargets ?? 0,
  };
}

/** One target's figures in a multi-target run: {@link runFigures} over its own repositories and totals. */
export interface TargetFigures {
  target: ResultTarget;
  figures: RunFigures;
}

/**
 * Each target's figures, in the result's target order (empty for a single-target run). The same
 * definition as the run's ({@link runFigures}), applied to the target's repositories and totals,
 * so the per-target lines of every renderer add up to the run's figures.
 */
export function targetFigures(result: Pick<SweepResult, 'mode' | 'repositories' | 'targets'>): TargetFigures[] {
  const targets = result.targets ?? [];
  if (targets.length === 0) return [];
  const byKey = new Map<string, RepositoryResult[]>();
  for (const repository of result.repositories) {
    if (!repository.target) continue;
    const key = `${repository.target.accountId}/${repository.target.region}`;
    let list = byKey.get(key);
    if (!list) byKey.set(key, (list = []));
    list.push(repository);
  }
  return targets.map((target) => {
    const figures = runFigures({ mode: result.mode, repositories: byKey.get(target.key) ?? [], totals: target.totals });
    return { target, figures: { ...figures, targets: 1, failedTargets: target.status === 'failed' ? 1 : 0 } };
  });
}

/**
 * What each count is called, in every renderer, so a label always says what is counted
 * ("Failed deletions" is never confused with failed repositories).
 */
export const FIGURE_LABELS = {
  repositories: 'Repositories',
  images: 'Images seen',
  planned: 'Planned',
  deleted: 'Deleted',
  wouldDelete: 'Would delete',
  failedDeletions: 'Failed deletions',
  failedRepositories: 'Failed repositories',
  skipped: 'Skipped',
  kept: 'Kept',
  archived: 'Archived',
  bytesFreed: 'Bytes freed',
  bytesWouldFree: 'Would free',
  inUseKept: 'Kept in use',
  targets: 'Targets',
  failedTargets: 'Failed targets',
} as const satisfies Partial<Record<keyof RunFigures, string>>;

/**
 * The failures in words, e.g. `2 failed deletions, 1 failed repository`; empty when nothing failed.
 * The HTML banner and heading, the Slack header and the CLI all say it this way.
 */
export function failureSummary(figures: Pick<RunFigures, 'failedDeletions' | 'failedRepositories'> & Partial<Pick<RunFigures, 'failedTargets'>>): string {
  return [
    (figures.failedTargets ?? 0) > 0 ? countOf(figures.failedTargets ?? 0, 'failed target') : '',
    figures.failedDeletions > 0 ? countOf(figures.failedDeletions, 'failed deletion') : '',
    figures.failedRepositories > 0 ? countOf(figures.failedRepositories, 'failed repository', 'failed repositories') : '',
  ]
    .filter(Boolean)
    .join(', ');
}

/** `1 repository`, `12,345 images`: a count with its noun in the right number. */
export function countOf(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

/**
 * Whether a repository's images were read. Protected and unmanaged repositories are never
 * listed, and a repository that failed to list or was not reached has none: showing "0 images"
 * for them would be false, so renderers show {@link NOT_LISTED} instead.
 */
export function imagesListed(repository: { status: string; images: readonly unknown[] }): boolean {
  if (repository.images.length > 0) return true;
  return !NOT_LISTED_STATUSES.has(repository.status);
}

const NOT_LISTED_STATUSES: ReadonlySet<string> = new Set(['protected', 'unmanaged', 'failed', 'not-started']);

/** What renderers show instead of an image count for a repository that was not listed. */
export const NOT_LISTED = 'not listed';

/**
 * The outcome as one word for tables and CSV: deleted, already-gone, would-delete, failed, skipped,
 * kept, archived, already-archived, transition-planned.
 */
export function outcomeLabel(image: Pick<ResultImage, 'outcome'>): string {
  const { outcome } = image;
  if (outcome.status === 'deleted' && outcome.alreadyGone) return 'already-gone';
  if (outcome.status === 'archived' && outcome.alreadyArchived) return 'already-archived';
  return outcome.status;
}

/**
 * The outcome's explanation: the failure message, the skip or keep reason, or empty. A keep or
 * transition reason that only repeats the plan's reason is left out.
 */
export function outcomeDetail(image: Pick<ResultImage, 'outcome' | 'reason'>): string {
  const { outcome } = image;
  switch (outcome.status) {
    case 'failed':
      return outcome.message;
    case 'skipped':
      return outcome.reason;
    case 'would-delete':
      return outcome.reason ?? 'dry run: nothing was deleted';
    case 'kept':
    case 'transition-planned':
      return outcome.reason === image.reason ? '' : outcome.reason;
    case 'deleted':
      return outcome.alreadyGone ? 'already deleted by someone else (ImageNotFound)' : '';
    case 'archived':
      return outcome.alreadyArchived ? 'already archived when the run re-read it' : '';
  }
}

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const;

/**
 * Bytes in binary units with at most one decimal: `0 B`, `512 B`, `1.5 KiB`, `12 GiB`.
 * Binary units because ECR's sizes are byte counts and GiB is what storage is billed in.
 */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return 'unknown';
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  if (unit === 0) return `${Math.round(value)} B`;
  // Round first so 1023.96 KiB does not print as "1024 KiB".
  const rounded = Math.round(value * 10) / 10;
  if (rounded >= 1024 && unit < BYTE_UNITS.length - 1) return `1 ${BYTE_UNITS[unit + 1]}`;
  const text = Number.isInteger(rounded) ? String(rounded) : rounded.toFixed(1);
  return `${text} ${BYTE_UNITS[unit]}`;
}

/** A digest cut to its algorithm and first 12 hex digits (`sha256:0123456789ab…`); the full one is in the CSV. */
export function shortDigest(digest: string): string {
  return digest.length > 19 ? `${digest.slice(0, 19)}…` : digest;
}

/** An integer with thousands separators (`12,345`), independent of the machine's locale. */
export function formatCount(n: number): string {
  const sign = n < 0 ? '-' : '';
  return sign + String(Math.abs(Math.trunc(n))).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** An ISO time as `2026-11-27 10:21 UTC`; null or unparsable input gives `-`. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '-';
  // Fast path for the UTC ISO strings the plan holds; reports format one per image.
  if (UTC_ISO.test(iso)) return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return '-';
  const text = new Date(ms).toISOString();
  return `${text.slice(0, 10)} ${text.slice(11, 16)} UTC`;
}

const UTC_ISO = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d+)?)?Z$/;

/** A duration as `850 ms`, `12.3 s` or `4 min 05 s`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return 'unknown';
  if (ms < millisecondsInSecond) return `${Math.round(ms)} ms`;
  if (ms < millisecondsInMinute) return `${(Math.round(ms / 100) / 10).toFixed(1)} s`;
  const totalSeconds = Math.round(ms / millisecondsInSecond);
  const duration = { minutes: Math.floor(totalSeconds / secondsInMinute), seconds: totalSeconds % secondsInMinute };
  return formatDurationUnits(duration, { format: ['minutes', 'seconds'], zero: true, locale: RUN_TIME_UNITS });
}

// date-fns's formatDuration with the units run times have always used: "4 min 05 s".
const RUN_TIME_UNITS: Pick<Locale, 'formatDistance'> = {
  formatDistance: (token, count) => (token === 'xMinutes' ? `${count} min` : `${String(count).padStart(2, '0')} s`),
};

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
