/**
 * The terminal rendering of a plan: one row per governed repository, totals, then the reasons
 * repositories were blocked. Pure: Plan in, text out.
 */
import Table from 'cli-table3';
import type { Plan, RepositoryPlan } from '../core/plan-model.js';
import { NOT_LISTED, countOf, formatCount, imagesListed, repositoryLabel } from '../core/report-summary.js';
import { FIGURE_LABELS } from '../core/report-summary.js';
import { inUseKeptImages } from '../core/in-use-ties.js';
import { formatBytes } from './format-bytes.js';
import { renderInUseSummary } from './format-in-use.js';
import { renderPlanTargets } from './format-targets.js';
import { describeTarget, targetKey } from '../core/targets.js';

/** Borders without colour codes, so piped output and snapshots stay plain text. */
const PLAIN_STYLE = { head: [] as string[], border: [] as string[], compact: true };

/**
 * Renders the plan summary table shown by `ecr-sweeper plan` and before `apply` asks to confirm.
 * Unmanaged repositories (no policy matches) are counted in one line rather than listed, so a large
 * registry with a narrow policy still fits on a screen.
 *
 * @example
 *   process.stdout.write(renderPlanTable(plan));
 */
export function renderPlanTable(plan: Plan): string {
  const shown = plan.repositories.filter((r) => r.status !== 'unmanaged');
  const unmanaged = plan.repositories.length - shown.length;
  const withTransitions = plan.summary.transition > 0;
  // Only plans made with in-use sources: a column of zeros would claim a scan that never ran.
  const withInUse = plan.inUse !== undefined;

  const head = ['Repository', 'Policy', 'Status', 'Images', 'Delete', 'Keep'];
  if (withInUse) head.push(FIGURE_LABELS.inUseKept);
  if (withTransitions) head.push('Archive');
  head.push('Bytes to free');
  const table = new Table({
    head,
    style: PLAIN_STYLE,
    colAligns: head.map((_, i) => (i < 3 ? 'left' : 'right')),
  });
  let group: string | undefined;
  for (const repo of shown) {
    // A multi-target plan: the rows of each target under a line naming it.
    if (repo.target && targetKey(repo.target) !== group) {
      group = targetKey(repo.target);
      table.push([{ colSpan: head.length, content: describeTarget(repo.target) }]);
    }
    table.push(repositoryRow(repo, withTransitions, withInUse));
  }
  const s = plan.summary;
  // The total counts every repository; say how many of them have no row, so it matches the table.
  const totalLabel = `Total: ${countOf(s.repositories, 'repository', 'repositories')}${unmanaged > 0 ? ` (${formatCount(unmanaged)} not shown)` : ''}`;
  const totals: (string | number)[] = [totalLabel, '', s.blockedRepositories > 0 ? `${s.blockedRepositories} blocked` : '', s.images, s.delete, s.keep];
  if (withInUse) totals.push(inUseKeptImages(plan.repositories));
  if (withTransitions) totals.push(s.transition);
  totals.push(formatBytes(s.bytesToFree));
  table.push(totals);

  const lines: string[] = [planHeadline(plan), table.toString()];
  const targets = renderPlanTargets(plan);
  if (targets) lines.push(targets.trimEnd());
  if (withInUse) lines.push(renderInUseSummary(plan.inUse, inUseKeptImages(plan.repositories)).trimEnd());
  if (unmanaged > 0) {
    lines.push(`${countOf(unmanaged, 'repository is', 'repositories are')} not governed by any policy (untouched, not listed, no row above).`);
  }
  const withoutPolicy = plan.repositories.filter((r) => r.status === 'no-lifecycle-policy');
  if (withoutPolicy.length > 0) {
    lines.push('', 'No lifecycle policy attached (their policy runs attached policies; untouched):');
    for (const repo of withoutPolicy) lines.push(`  - ${repositoryLabel(repo)} (policy ${repo.policy ?? '-'})`);
  }
  const blocked = plan.repositories.filter((r) => r.status === 'blocked');
  if (blocked.length > 0) {
    lines.push('', 'Blocked by a safety limit (nothing in these repositories will be deleted):');
    for (const repo of blocked) lines.push(`  - ${repositoryLabel(repo)}: ${repo.statusReason ?? 'no reason given'}`);
  }
  return `${lines.join('\n')}\n`;
}

/** One line saying what the plan is for; dry run says so in plain words. */
export function planHeadline(plan: Plan): string {
  const what = plan.mode === 'apply' ? 'Plan (apply)' : 'Plan (dry run: nothing is deleted)';
  return `${what} evaluated at ${plan.now}`;
}

function repositoryRow(repo: RepositoryPlan, withTransitions: boolean, withInUse: boolean): (string | number)[] {
  const c = repo.counts;
  // Protected repositories are never listed: "0 images" would be false. A policy that runs attached
  // lifecycle policies says so on every row it governs.
  const policy = repo.policy === null ? '-' : repo.rulesFrom === 'attached-lifecycle-policy' ? `${repo.policy} (attached policy)` : repo.policy;
  const row: (string | number)[] = [repo.repositoryName, policy, repo.status, imagesListed(repo) ? c.images : NOT_LISTED, c.delete, c.keep];
  if (withInUse) row.push(inUseKeptImages([repo]));
  if (withTransitions) row.push(c.transition);
  row.push(formatBytes(c.bytesToFree));
  return row;
}
