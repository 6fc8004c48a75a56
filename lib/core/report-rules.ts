/**
 * Totals per rule: how many images and bytes each rule deleted (or would delete) and archived
 * (or would archive). Counted with the same definitions as {@link runFigures}, so the rows of
 * every renderer's per-rule table add up to the run's totals.
 */
import type { SweepResult } from './result-model.js';
import { isDryRun } from './report-summary.js';

/** One rule's share of the run. */
export interface RuleTotal {
  /** The deciding rule id; null for images no rule decided (e.g. a child following its index). */
  rule: string | null;
  /** Apply: images deleted (already gone included). Dry run: planned deletions (would delete). */
  images: number;
  /**
   * Apply: bytes freed (index manifests and images already gone left out, as in `bytesFreed`).
   * Dry run: bytes the planned deletions would free (index manifests left out).
   */
  bytes: number;
  /** Apply: images archived. Dry run: planned archive transitions. */
  archivedImages: number;
  /** Bytes of those images moved to the archive class (index manifests and already-archived left out). */
  archivedBytes: number;
}

/** What a per-rule row is called in every renderer. */
export const RULE_LABELS = {
  heading: 'Per rule',
  rule: 'Rule',
  noRule: '(no rule)',
  images: { apply: 'Deleted', dryRun: 'Would delete' },
  bytes: { apply: 'Bytes freed', dryRun: 'Would free' },
  archivedImages: { apply: 'Archived', dryRun: 'Would archive' },
  archivedBytes: { apply: 'Bytes archived', dryRun: 'Would archive (bytes)' },
} as const;

/**
 * The rules that deleted or archived something in this run, most bytes first (then most images,
 * then rule id). Rules that only kept images are left out.
 */
export function ruleTotals(result: Pick<SweepResult, 'mode' | 'repositories'>): RuleTotal[] {
  const dryRun = isDryRun(result);
  const byRule = new Map<string | null, RuleTotal>();
  const entry = (rule: string | null) => {
    let total = byRule.get(rule);
    if (!total) {
      total = { rule, images: 0, bytes: 0, archivedImages: 0, archivedBytes: 0 };
      byRule.set(rule, total);
    }
    return total;
  };
  for (const repository of result.repositories) {
    for (const image of repository.images) {
      const { outcome } = image;
      const size = image.role === 'index' ? 0 : (image.sizeInBytes ?? 0);
      if (dryRun) {
        // As runFigures: "Would delete" counts would-delete outcomes, "Would free" the planned deletions.
        if (outcome.status === 'would-delete') entry(image.rule).images += 1;
        if (image.decision === 'delete') entry(image.rule).bytes += size;
        if (image.decision === 'transition' && outcome.status === 'transition-planned') {
          const t = entry(image.rule);
          t.archivedImages += 1;
          t.archivedBytes += size;
        }
      } else if (outcome.status === 'deleted') {
        const t = entry(image.rule);
        t.images += 1;
        if (!outcome.alreadyGone) t.bytes += size;
      } else if (outcome.status === 'archived') {
        const t = entry(image.rule);
        t.archivedImages += 1;
        if (!outcome.alreadyArchived) t.archivedBytes += size;
      }
    }
  }
  return [...byRule.values()]
    .filter((t) => t.images > 0 || t.bytes > 0 || t.archivedImages > 0)
    .sort((a, b) => b.bytes - a.bytes || b.images - a.images || (a.rule ?? '\uffff').localeCompare(b.rule ?? '\uffff'));
}

/** A rule id as the reports print it. */
export function ruleName(rule: string | null): string {
  return rule ?? RULE_LABELS.noRule;
}
