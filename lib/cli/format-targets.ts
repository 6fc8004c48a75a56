/**
 * The terminal lines of a multi-target run: one per target, with its status and its figures
 * (the run's one definition, `targetFigures`), failed targets first with the error naming the
 * account and Region. Pure: documents in, text out; empty for a single-target run.
 */
import type { Plan } from '../core/plan-model.js';
import type { SweepResult } from '../core/result-model.js';
import { FIGURE_LABELS, countOf, failureSummary, formatCount, targetFigures } from '../core/report-summary.js';
import { formatBytes } from './format-bytes.js';

/**
 * `Targets (4, 1 failed):` then a line per target of the result, e.g.
 * `  - 111111111111/eu-west-1 completed: Deleted 3, Bytes freed 1.2 MiB`.
 *
 * @example
 *   io.stdout.write(renderResultTargets(result));
 */
export function renderResultTargets(result: SweepResult): string {
  const perTarget = targetFigures(result);
  if (perTarget.length === 0) return '';
  const L = FIGURE_LABELS;
  const ordered = [...perTarget.filter((t) => t.target.status === 'failed'), ...perTarget.filter((t) => t.target.status !== 'failed')];
  const lines = ordered.map(({ target, figures: f }) => {
    if (target.status === 'failed') return `  - ${target.key} FAILED: ${target.error ? `${target.error.code}: ${target.error.message}` : (target.statusReason ?? 'unknown error')}`;
    const counts = f.dryRun
      ? `${L.repositories} ${formatCount(f.repositories)}, ${L.images} ${formatCount(f.images)}, ${L.wouldDelete} ${formatCount(f.wouldDelete)}, ${L.bytesWouldFree} ${formatBytes(f.bytesWouldFree)}`
      : `${L.repositories} ${formatCount(f.repositories)}, ${L.images} ${formatCount(f.images)}, ${L.deleted} ${formatCount(f.deleted)}, ${L.bytesFreed} ${formatBytes(f.bytesFreed)}`;
    const bad = failureSummary(f);
    return `  - ${target.key} ${target.status}: ${counts}${bad ? `; ${bad}` : ''}${target.statusReason !== undefined ? ` (${target.statusReason})` : ''}`;
  });
  const failed = result.totals.failedTargets ?? 0;
  return `${L.targets} (${formatCount(perTarget.length)}${failed > 0 ? `, ${countOf(failed, 'failed target')}` : ''}):\n${lines.join('\n')}\n`;
}

/** The same for a plan: each target's planned deletions, failed targets first with their error. */
export function renderPlanTargets(plan: Plan): string {
  const targets = plan.targets ?? [];
  if (targets.length === 0) return '';
  const ordered = [...targets.filter((t) => t.status === 'failed'), ...targets.filter((t) => t.status !== 'failed')];
  const lines = ordered.map((t) => {
    if (t.status === 'failed') return `  - ${t.key} FAILED: ${t.error ? `${t.error.code}: ${t.error.message}` : 'unknown error'}`;
    const s = t.summary;
    return `  - ${t.key} planned: ${countOf(s.repositories, 'repository', 'repositories')}, ${countOf(s.images, 'image')}, delete ${formatCount(s.delete)}, ${formatBytes(s.bytesToFree)} to free${s.blockedRepositories > 0 ? `, ${formatCount(s.blockedRepositories)} blocked` : ''}`;
  });
  const failed = plan.summary.failedTargets ?? 0;
  return `${FIGURE_LABELS.targets} (${formatCount(targets.length)}${failed > 0 ? `, ${countOf(failed, 'failed target')}` : ''}):\n${lines.join('\n')}\n`;
}
