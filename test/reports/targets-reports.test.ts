/**
 * The reports of a multi-target run (issue 10): the HTML groups repositories by target (a section
 * per target with its figures; a failed target shows its error), the CSVs start with account_id
 * and region, Slack lists the targets (failed first, at most 10 lines), the CLI tables group rows
 * under their target and list each target's figures; and every renderer's per-target numbers are
 * `targetFigures`, the run's one definition. A single-target run renders none of it.
 */
import { describe, expect, it } from 'vitest';
import { renderPlanCsv } from '../../lib/cli/format-plan-csv.js';
import { renderPlanTable } from '../../lib/cli/format-plan-table.js';
import { renderResultTable } from '../../lib/cli/format-result-table.js';
import { formatBytes as formatBytesCli } from '../../lib/cli/format-bytes.js';
import { applyExitCode, ExitCode, planExitCode } from '../../lib/cli/exit-codes.js';
import { renderResultCsv } from '../../lib/core/report-csv.js';
import { renderReportHtml } from '../../lib/core/report-html.js';
import { buildSlackMessage, type SlackBlock } from '../../lib/core/report-slack.js';
import { FIGURE_LABELS, formatBytes, formatCount, targetFigures } from '../../lib/core/report-summary.js';
import type { SweepResult } from '../../lib/core/result-model.js';
import { mergePlans, mergeResults } from '../../lib/core/run-merge.js';
import type { FailedTarget, TargetRef } from '../../lib/core/targets.js';
import { parseCsv } from '../fixtures/csv.js';
import { buildSampleResult, planFromResult } from '../fixtures/sample-result.js';

const A: TargetRef = { accountId: '111111111111', region: 'eu-west-1' };
const B: TargetRef = { accountId: '222222222222', region: 'us-east-1' };
const DENIED: FailedTarget = { accountId: '333333333333', region: 'eu-west-1', error: { code: 'AccessDenied', message: 'account 333333333333, eu-west-1: not authorized to perform sts:AssumeRole' } };
const TIMES = { now: '2026-11-27T06:00:00.000Z', startedAt: '2026-11-27T06:00:00.000Z', finishedAt: '2026-11-27T06:02:00.000Z' };

function runOf(mode: 'apply' | 'dry-run', targets: TargetRef[], failed: FailedTarget[] = []): SweepResult {
  const done = targets.map((target, i) => ({ target, result: buildSampleResult({ mode, extraRepositories: i }) }));
  return mergeResults({ runId: 'run-org', mode, rulesSource: 'org.yml', ...TIMES, done, failed });
}

describe.each(['apply', 'dry-run'] as const)('a multi-target %s run', (mode) => {
  const result = runOf(mode, [A, B], [DENIED]);
  const perTarget = targetFigures(result);

  it('HTML: a section per target with its figures; the failed one shows its error and is in the failures', () => {
    const html = renderReportHtml(result);
    const sections = [...html.matchAll(/<section class="target" data-target="([^"]+)" data-target-status="([^"]+)">([\s\S]*?)<\/section>/g)];
    expect(sections.map((m) => [m[1], m[2]])).toEqual(perTarget.map((t) => [t.target.key, t.target.status]));
    for (const [i, m] of sections.entries()) {
      const { figures } = perTarget[i]!;
      const shown = Object.fromEntries([...m[3]!.matchAll(/data-target-figure="(\w+)">([^:]+): <strong>([^<]+)</g)].map((f) => [f[1], [f[2], f[3]]]));
      expect(shown.images).toEqual([FIGURE_LABELS.images, formatCount(figures.images)]);
      if (mode === 'apply') {
        expect(shown.deleted).toEqual([FIGURE_LABELS.deleted, formatCount(figures.deleted)]);
        expect(shown.bytesFreed).toEqual([FIGURE_LABELS.bytesFreed, formatBytes(figures.bytesFreed)]);
      } else {
        expect(shown.wouldDelete).toEqual([FIGURE_LABELS.wouldDelete, formatCount(figures.wouldDelete)]);
      }
      // The target's repository rows, and only its own.
      const rows = [...m[3]!.matchAll(/<tr data-repository="([^"]+)"/g)].map((r) => r[1]);
      expect(rows).toEqual(result.repositories.filter((r) => r.target && `${r.target.accountId}/${r.target.region}` === perTarget[i]!.target.key).map((r) => r.repositoryName));
    }
    const failed = sections.find((m) => m[2] === 'failed')!;
    expect(failed[3]).toContain('AccessDenied: account 333333333333, eu-west-1: not authorized');
    expect(html).toContain('id="failed-target-table"');
    expect(html).toContain('1 failed target');
    // Images are named with their target: two targets may share a repository name.
    expect(html).toContain(`<option value="0">111111111111/eu-west-1/${result.repositories[0]!.repositoryName}</option>`);
  });

  it('result.csv: account_id and region first, each row where its image is', () => {
    const rows = parseCsv(renderResultCsv(result));
    expect(rows[0]!.slice(0, 3)).toEqual(['account_id', 'region', 'repository']);
    const expected = result.repositories.flatMap((r) => r.images.map(() => [r.target!.accountId, r.target!.region, r.repositoryName]));
    expect(rows.slice(1).map((r) => r.slice(0, 3))).toEqual(expected);
  });

  it('Slack: a line per target, the failed one first with its error, each with its own figures', () => {
    const text = JSON.stringify(buildSlackMessage(result).blocks);
    const lines = targetsSection(buildSlackMessage(result).blocks).split('\n');
    expect(lines[0]).toBe('*Targets (3, 1 failed)*');
    expect(lines[1]).toContain('`333333333333/eu-west-1` *failed*: AccessDenied');
    for (const { target, figures } of perTarget.filter((t) => t.target.status !== 'failed')) {
      const line = lines.find((l) => l.includes(`\`${target.key}\``))!;
      expect(line).toContain(mode === 'apply' ? `${formatCount(figures.deleted)} image` : `${formatCount(figures.wouldDelete)} image`);
      expect(line).toContain(formatBytes(mode === 'apply' ? figures.bytesFreed : figures.bytesWouldFree));
    }
    expect(text).toContain('1 failed target');
  });

  it('CLI: rows grouped under their target, then a line per target with its figures', () => {
    const text = renderResultTable(result);
    expect(text).toContain('│ account 111111111111, eu-west-1');
    expect(text.indexOf('account 111111111111, eu-west-1')).toBeLessThan(text.indexOf('account 222222222222, us-east-1'));
    expect(text).toContain('Targets (3, 1 failed target):');
    expect(text).toContain('  - 333333333333/eu-west-1 FAILED: AccessDenied: account 333333333333, eu-west-1: not authorized');
    for (const { target, figures } of perTarget.filter((t) => t.target.status !== 'failed')) {
      const line = text.split('\n').find((l) => l.startsWith(`  - ${target.key} `))!;
      expect(line).toContain(`${FIGURE_LABELS.images} ${formatCount(figures.images)}`);
      expect(line).toContain(mode === 'apply' ? `${FIGURE_LABELS.deleted} ${formatCount(figures.deleted)}` : `${FIGURE_LABELS.wouldDelete} ${formatCount(figures.wouldDelete)}`);
      expect(line).toContain(formatBytesCli(mode === 'apply' ? figures.bytesFreed : figures.bytesWouldFree));
    }
  });

  it('exit codes: a failed target is never clean (3, a person must look)', () => {
    expect(planExitCode(result)).toBe(ExitCode.SAFETY_ABORT);
    if (mode === 'apply') expect(applyExitCode(result)).toBe(ExitCode.SAFETY_ABORT);
  });
});

describe('the plan of a multi-target run', () => {
  const pa = planFromResult(buildSampleResult({ mode: 'apply' }));
  const pb = planFromResult(buildSampleResult({ mode: 'apply', extraRepositories: 1 }));
  const plan = mergePlans({ runId: 'run-org', now: TIMES.now, mode: 'apply', planned: [{ target: A, plan: pa }, { target: B, plan: pb }], failed: [DENIED] });

  it('plan --format csv starts with account_id and region', () => {
    const rows = parseCsv(renderPlanCsv(plan));
    expect(rows[0]!.slice(0, 3)).toEqual(['account_id', 'region', 'repository']);
    expect(new Set(rows.slice(1).map((r) => `${r[0]}/${r[1]}`))).toEqual(new Set(['111111111111/eu-west-1', '222222222222/us-east-1']));
  });

  it('the plan table groups rows by target and lists each target, the failed one with its error', () => {
    const text = renderPlanTable(plan);
    expect(text).toContain('│ account 111111111111, eu-west-1');
    expect(text).toContain('│ account 222222222222, us-east-1');
    expect(text).toContain('  - 333333333333/eu-west-1 FAILED: AccessDenied');
    expect(text).toContain(`  - 111111111111/eu-west-1 planned: ${pa.summary.repositories} repositories, ${formatCount(pa.summary.images)} images, delete ${formatCount(pa.summary.delete)}`);
  });
});

describe('bounded and single-target', () => {
  it('Slack lists at most 10 targets, then says how many more; failed ones are never the ones cut', () => {
    const targets = Array.from({ length: 14 }, (_, i) => ({ accountId: String(100000000000 + i), region: 'eu-west-1' }));
    const failed = [{ ...DENIED, accountId: '999999999999' }];
    const lines = targetsSection(buildSlackMessage(runOf('apply', targets, failed)).blocks).split('\n');
    expect(lines.filter((l) => l.startsWith('• '))).toHaveLength(10);
    expect(lines[1]).toContain('999999999999/eu-west-1');
    expect(lines.at(-1)).toBe('…and 5 more targets in the report.');
  });

  it('a single-target run has no target columns, sections, lines or Slack block', () => {
    const single = buildSampleResult({ mode: 'apply' });
    expect(parseCsv(renderResultCsv(single))[0]![0]).toBe('repository');
    expect(renderReportHtml(single)).not.toContain('class="target"');
    expect(renderResultTable(single)).not.toContain('Targets (');
    expect(JSON.stringify(buildSlackMessage(single))).not.toContain('*Targets');
  });
});

/** The Slack message's Targets section text. */
function targetsSection(blocks: readonly SlackBlock[]): string {
  for (const block of blocks) if (block.type === 'section' && block.text?.text.startsWith('*Targets')) return block.text.text;
  throw new Error('the message has no Targets section');
}
