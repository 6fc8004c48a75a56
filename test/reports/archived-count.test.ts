/**
 * The `archived` count (images an apply run moved to archive storage) comes from result-builder's
 * countImages and every renderer shows it: HTML totals, Slack fields and fallback, CLI table, CSV.
 */
import { describe, expect, it } from 'vitest';
import { renderResultTable } from '../../lib/cli/format-result-table.js';
import { renderResultCsv } from '../../lib/core/report-csv.js';
import { renderReportHtml } from '../../lib/core/report-html.js';
import { buildSlackMessage } from '../../lib/core/report-slack.js';
import type { Outcome, SweepResult } from '../../lib/core/result-model.js';
import { addCounts, countImages, emptyCounts } from '../../lib/engine/result-builder.js';
import { buildSampleResult } from '../fixtures/sample-result.js';

/** The sample apply result with its first two kept images archived instead (one by someone else). */
function withArchived(): SweepResult {
  const result = buildSampleResult();
  const repo = result.repositories.find((r) => r.images.filter((i) => i.outcome.status === 'kept').length >= 2)!;
  const kept = repo.images.filter((i) => i.outcome.status === 'kept').slice(0, 2);
  const outcomes: Outcome[] = [{ status: 'archived' }, { status: 'archived', alreadyArchived: true }];
  kept.forEach((image, k) => {
    image.decision = 'transition';
    image.outcome = outcomes[k]!;
  });
  repo.counts = countImages(repo.images);
  const totals = emptyCounts();
  for (const r of result.repositories) addCounts(totals, r.counts);
  result.totals = { ...result.totals, ...totals };
  return result;
}

describe('the archived count', () => {
  it('is counted once per archived image, apart from kept and deleted', () => {
    const before = buildSampleResult().totals;
    const after = withArchived().totals;
    expect(after.archived).toBe(2);
    expect(after.kept).toBe(before.kept - 2);
    expect(after.deleted).toBe(before.deleted);
  });

  it('is shown by the HTML report, the Slack message, the CLI table and the CSV', () => {
    const result = withArchived();
    expect(renderReportHtml(result)).toMatch(/data-total="archived"><div class="label">Archived<\/div><div class="value">2<\/div>/);
    const slack = buildSlackMessage(result);
    expect(JSON.stringify(slack.blocks)).toContain('*Archived*\\n2 (not deleted)');
    expect(slack.text).toContain('2 archived.');
    expect(renderResultTable(result)).toContain('Archived: 2 images moved to archive storage (not deleted;');
    const csv = renderResultCsv(result);
    expect(csv.split('\n').filter((line) => /,archived,/.test(line))).toHaveLength(1);
    expect(csv.split('\n').filter((line) => /,already-archived,/.test(line))).toHaveLength(1);
  });

  it('is left out of the HTML, Slack and CLI summaries of a run that archived nothing', () => {
    const result = buildSampleResult();
    expect(result.totals.archived).toBe(0);
    expect(renderReportHtml(result)).not.toContain('data-total="archived"');
    expect(JSON.stringify(buildSlackMessage(result).blocks)).not.toContain('Archived');
    expect(renderResultTable(result)).not.toContain('Archived:');
  });
});
