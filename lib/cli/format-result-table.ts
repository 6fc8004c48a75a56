/**
 * The terminal rendering of a sweep result: per-repository outcomes, totals, failures with their
 * codes, and why the run stopped early if it did. Pure: SweepResult in, text out.
 */
import Table from 'cli-table3';
import type { RepositoryResult, ResultCounts, SweepResult } from '../core/result-model.js';
import { FIGURE_LABELS, NOT_LISTED, countOf, formatCount, formatDuration, imagesListed, plannedBytes, repositoryLabel, runFigures } from '../core/report-summary.js';
import { formatBytes } from './format-bytes.js';
import { renderInUseSummary } from './format-in-use.js';
import { renderResultTargets } from './format-targets.js';
import { describeTarget, targetKey } from '../core/targets.js';

const PLAIN_STYLE = { head: [] as string[], border: [] as string[], compact: true };

/** How many failed images are listed before the rest are only counted. */
export const MAX_LISTED_FAILURES = 20;

/**
 * Renders what `ecr-sweeper apply` (or a dry run) did. Repositories with nothing planned and
 * nothing failed are left out of the table; the total row says how many, and a line below says
 * why, so the total never seems to count rows that are not there. Column names and counts are
 * the reports' ({@link FIGURE_LABELS}, {@link runFigures}), so the terminal and the HTML agree.
 *
 * @example
 *   process.stdout.write(renderResultTable(result));
 */
export function renderResultTable(result: SweepResult): string {
  const figures = runFigures(result);
  const dryRun = figures.dryRun;
  const shown = result.repositories.filter(isInteresting);
  const L = FIGURE_LABELS;
  const head = dryRun
    ? ['Repository', 'Status', L.planned, L.wouldDelete, L.kept, L.bytesWouldFree]
    : ['Repository', 'Status', L.planned, L.deleted, L.failedDeletions, L.skipped, L.kept, L.bytesFreed];
  const table = new Table({ head, style: PLAIN_STYLE, colAligns: head.map((_, i) => (i < 2 ? 'left' : 'right')) });
  const row = (c: ResultCounts, bytes: number) =>
    dryRun ? [c.planned, c.wouldDelete, c.kept, formatBytes(bytes)] : [c.planned, c.deleted, c.failed, c.skipped, c.kept, formatBytes(bytes)];
  let group: string | undefined;
  for (const repo of shown) {
    // A multi-target run: the rows of each target under a line naming it.
    if (repo.target && targetKey(repo.target) !== group) {
      group = targetKey(repo.target);
      table.push([{ colSpan: head.length, content: describeTarget(repo.target) }]);
    }
    table.push([repo.repositoryName, repo.status, ...row(repo.counts, dryRun ? plannedBytes(repo) : repo.counts.bytesFreed)]);
  }
  const hidden = result.repositories.length - shown.length;
  const t = result.totals;
  table.push([
    `Total: ${countOf(figures.repositories, 'repository', 'repositories')}${hidden > 0 ? ` (${formatCount(hidden)} not shown)` : ''}`,
    figures.failedRepositories > 0 ? `${formatCount(figures.failedRepositories)} failed` : '',
    ...row(t, dryRun ? figures.bytesWouldFree : figures.bytesFreed),
  ]);

  // The run time as the HTML report and Slack print it (one definition for every renderer).
  const took = formatDuration(result.durationMs);
  const headline =
    result.mode === 'apply'
      ? `Sweep ${result.runId} (apply) finished in ${took}`
      : `Sweep ${result.runId} (dry run: nothing was deleted) finished in ${took}`;
  const lines: string[] = [headline, table.toString()];
  const targets = renderResultTargets(result);
  if (targets) lines.push(targets.trimEnd());
  if (hidden > 0) lines.push(hiddenLine(result.repositories.filter((r) => !isInteresting(r))));
  if (result.inUse !== undefined) lines.push(renderInUseSummary(result.inUse, figures.inUseKept).trimEnd());
  if (figures.archived > 0) {
    lines.push(`${FIGURE_LABELS.archived}: ${countOf(figures.archived, 'image')} moved to archive storage (not deleted; \`ecr-sweeper restore\` brings one back).`);
  }

  if (result.abortedReason) lines.push('', `ABORTED by a safety limit: ${result.abortedReason}`);
  if (result.interrupted !== undefined) {
    lines.push('', `INTERRUPTED by ${result.interrupted}: stopped between batches; ${result.remainingRepositories.length} repositor${result.remainingRepositories.length === 1 ? 'y' : 'ies'} left for the next run.`);
  }
  if (result.stoppedByDeadline) {
    lines.push('', `Stopped by the deadline; ${result.remainingRepositories.length} repositor${result.remainingRepositories.length === 1 ? 'y' : 'ies'} left for the next run.`);
  }
  const blocked = result.repositories.filter((r) => r.status === 'blocked');
  if (blocked.length > 0) {
    lines.push('', 'Blocked by a safety limit (nothing deleted in these repositories):');
    for (const repo of blocked) lines.push(`  - ${repositoryLabel(repo)}: ${repo.statusReason ?? 'no reason given'}`);
  }
  const failedRepos = result.repositories.filter((r) => r.status === 'failed');
  if (failedRepos.length > 0) {
    lines.push('', `${L.failedRepositories} (${formatCount(failedRepos.length)}), which could not be listed or swept:`);
    for (const repo of failedRepos) {
      const why = repo.error ? `${repo.error.code}: ${repo.error.message}` : (repo.statusReason ?? 'unknown error');
      lines.push(`  - ${repositoryLabel(repo)}: ${why}`);
    }
  }
  lines.push(...failureLines(result));
  return `${lines.join('\n')}\n`;
}

/** Why the hidden repositories are hidden, by kind, e.g. `3 repositories not shown: 1 with nothing to delete, 1 protected (not listed), 1 unmanaged (not listed).` */
function hiddenLine(hidden: readonly RepositoryResult[]): string {
  const kinds = new Map<string, number>();
  for (const repo of hidden) {
    const kind = imagesListed(repo) ? 'with nothing to delete' : `${repo.status} (${NOT_LISTED})`;
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  }
  const parts = [...kinds].map(([kind, n]) => `${formatCount(n)} ${kind}`);
  return `${countOf(hidden.length, 'repository', 'repositories')} not shown: ${parts.join(', ')}.`;
}

function isInteresting(repo: RepositoryResult): boolean {
  return repo.counts.planned > 0 || repo.counts.archived > 0 || repo.counts.failed > 0 || repo.status === 'failed' || repo.status === 'blocked';
}

function failureLines(result: SweepResult): string[] {
  const failures: string[] = [];
  for (const repo of result.repositories) {
    for (const image of repo.images) {
      if (image.outcome.status === 'failed') {
        failures.push(`  - ${repositoryLabel(repo)}@${image.imageDigest}: ${image.outcome.code}: ${image.outcome.message}`);
      }
    }
  }
  if (failures.length === 0) return [];
  const listed = failures.slice(0, MAX_LISTED_FAILURES);
  const more = failures.length - listed.length;
  return ['', `${FIGURE_LABELS.failedDeletions} (${formatCount(failures.length)}):`, ...listed, ...(more > 0 ? [`  ... and ${more} more (see result.csv)`] : [])];
}
