/**
 * The terminal rendering of the totals per rule and, when the reports were written, the money
 * estimate and the changes since the last run. Pure: the figures come from lib/core, as in the
 * HTML and Slack.
 */
import Table from 'cli-table3';
import type { SweepResult } from '../core/result-model.js';
import type { ReportInsights } from '../core/report-insights.js';
import { formatCount, formatTime, countOf, isDryRun } from '../core/report-summary.js';
import { formatUsd, moneyLines, ruleCostPerMonth, MONEY_LABELS } from '../core/report-money.js';
import { RULE_LABELS, ruleName, ruleTotals } from '../core/report-rules.js';
import { formatBytes } from './format-bytes.js';

const PLAIN_STYLE = { head: [] as string[], border: [] as string[], compact: true };

/**
 * The per-rule table (rules that deleted or archived something, or would), then the money lines
 * and the diff summary when `insights` is given. Empty when there is nothing to show.
 *
 * @example process.stdout.write(renderRuleTotals(result, insights));
 */
export function renderRuleTotals(result: SweepResult, insights?: ReportInsights): string {
  const dryRun = isDryRun(result);
  const mode = dryRun ? 'dryRun' : 'apply';
  const totals = ruleTotals(result);
  const lines: string[] = [];
  if (totals.length > 0) {
    const archives = totals.some((t) => t.archivedImages > 0);
    const priced = insights?.money.price != null;
    const head: string[] = [RULE_LABELS.rule, RULE_LABELS.images[mode], RULE_LABELS.bytes[mode]];
    if (archives) head.push(RULE_LABELS.archivedImages[mode], RULE_LABELS.archivedBytes[mode]);
    if (priced) head.push(`${MONEY_LABELS.short[mode]} / month`);
    const table = new Table({ head, style: PLAIN_STYLE, colAligns: head.map((_, i) => (i === 0 ? 'left' : 'right')) });
    for (const t of totals) {
      const row: string[] = [ruleName(t.rule), formatCount(t.images), formatBytes(t.bytes)];
      if (archives) row.push(formatCount(t.archivedImages), formatBytes(t.archivedBytes));
      if (priced) {
        const cost = ruleCostPerMonth(t.bytes, insights?.money);
        row.push(cost === null ? '-' : formatUsd(cost));
      }
      table.push(row);
    }
    lines.push(`${RULE_LABELS.heading}:`, table.toString());
  }
  if (insights) {
    const money = moneyLines(insights.money, dryRun);
    lines.push(money.freed);
    if (money.archived) lines.push(money.archived);
    lines.push(money.basis);
    if (insights.changes) {
      const c = insights.changes;
      lines.push(
        `Since the last run (evaluated ${formatTime(c.previousNow)}): ${countOf(c.images.length, 'image')} changed decision, ${countOf(c.repositories.length, 'repository', 'repositories')} changed status (listed in the report).`,
      );
    } else if (insights.history !== null) {
      lines.push('No previous run in this report directory: nothing to compare with yet.');
    } else if (insights.historyNote) {
      lines.push(`Note: ${insights.historyNote}.`);
    }
  }
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}
