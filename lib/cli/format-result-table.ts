/**
 * The terminal rendering of a sweep result: per-repository outcomes, totals, failures with their
 * codes, and why the run stopped early if it did. Pure: SweepResult in, text out.
 */
import Table from 'cli-table3';
import { formatDuration } from '../core/report-summary.js';
import type { RepositoryResult, SweepResult } from '../core/result-model.js';
import { formatBytes } from './format-bytes.js';

const PLAIN_STYLE = { head: [] as string[], border: [] as string[], compact: true };

/** How many failed images are listed before the rest are only counted. */
export const MAX_LISTED_FAILURES = 20;

/**
 * Renders what `ecr-sweeper apply` did. Repositories with nothing planned and nothing failed are
 * left out of the table (they are in the totals and in the reports).
 *
 * @example
 *   process.stdout.write(renderResultTable(result));
 */
export function renderResultTable(result: SweepResult): string {
  const shown = result.repositories.filter(isInteresting);
  const table = new Table({
    head: ['Repository', 'Status', 'Planned', 'Deleted', 'Failed', 'Skipped', 'Kept', 'Bytes freed'],
    style: PLAIN_STYLE,
    colAligns: ['left', 'left', 'right', 'right', 'right', 'right', 'right', 'right'],
  });
  for (const repo of shown) {
    const c = repo.counts;
    table.push([repo.repositoryName, repo.status, c.planned, c.deleted, c.failed, c.skipped, c.kept, formatBytes(c.bytesFreed)]);
  }
  const t = result.totals;
  table.push([
    `Total: ${t.repositories} repositor${t.repositories === 1 ? 'y' : 'ies'}`,
    t.failedRepositories > 0 ? `${t.failedRepositories} failed` : '',
    t.planned,
    t.deleted,
    t.failed,
    t.skipped,
    t.kept,
    formatBytes(t.bytesFreed),
  ]);

  // The run time as the HTML report and Slack print it (one definition for every renderer).
  const took = formatDuration(result.durationMs);
  const headline =
    result.mode === 'apply'
      ? `Sweep ${result.runId} (apply) finished in ${took}`
      : `Sweep ${result.runId} (dry run: nothing was deleted) finished in ${took}`;
  const lines: string[] = [headline, table.toString()];
  if (t.archived > 0) {
    lines.push(`Archived: ${t.archived} image${t.archived === 1 ? '' : 's'} moved to archive storage (not deleted; \`ecr-sweeper restore\` brings one back).`);
  }
  const hidden = result.repositories.length - shown.length;
  if (hidden > 0) lines.push(`${hidden} repositor${hidden === 1 ? 'y' : 'ies'} with nothing to do not listed.`);

  if (result.abortedReason) lines.push('', `ABORTED by a safety limit: ${result.abortedReason}`);
  if (result.stoppedByDeadline) {
    lines.push('', `Stopped by the deadline; ${result.remainingRepositories.length} repositor${result.remainingRepositories.length === 1 ? 'y' : 'ies'} left for the next run.`);
  }
  const blocked = result.repositories.filter((r) => r.status === 'blocked');
  if (blocked.length > 0) {
    lines.push('', 'Blocked by a safety limit (nothing deleted in these repositories):');
    for (const repo of blocked) lines.push(`  - ${repo.repositoryName}: ${repo.statusReason ?? 'no reason given'}`);
  }
  const failedRepos = result.repositories.filter((r) => r.status === 'failed');
  if (failedRepos.length > 0) {
    lines.push('', 'Repositories that could not be swept:');
    for (const repo of failedRepos) {
      const why = repo.error ? `${repo.error.code}: ${repo.error.message}` : (repo.statusReason ?? 'unknown error');
      lines.push(`  - ${repo.repositoryName}: ${why}`);
    }
  }
  lines.push(...failureLines(result));
  return `${lines.join('\n')}\n`;
}

function isInteresting(repo: RepositoryResult): boolean {
  return repo.counts.planned > 0 || repo.counts.archived > 0 || repo.counts.failed > 0 || repo.status === 'failed' || repo.status === 'blocked';
}

function failureLines(result: SweepResult): string[] {
  const failures: string[] = [];
  for (const repo of result.repositories) {
    for (const image of repo.images) {
      if (image.outcome.status === 'failed') {
        failures.push(`  - ${repo.repositoryName}@${image.imageDigest}: ${image.outcome.code}: ${image.outcome.message}`);
      }
    }
  }
  if (failures.length === 0) return [];
  const listed = failures.slice(0, MAX_LISTED_FAILURES);
  const more = failures.length - listed.length;
  return ['', `Failed deletions (${failures.length}):`, ...listed, ...(more > 0 ? [`  ... and ${more} more (see result.csv)`] : [])];
}
