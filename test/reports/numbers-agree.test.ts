/**
 * One result, every renderer: the CLI table, result.json, result.csv, report.html and the Slack
 * message must show the same counts under the same labels. A count that one renderer derives on
 * its own (as "3 failures" beside "Failed 2" once did) fails here.
 */
import { describe, expect, it } from 'vitest';
import { renderResultTable } from '../../lib/cli/format-result-table.js';
import { resultFiles } from '../../lib/core/report-files.js';
import { buildSlackMessage, type SlackBlock } from '../../lib/core/report-slack.js';
import { FIGURE_LABELS, collectFailures, failureSummary, formatBytes, runFigures, targetFigures, type RunFigures } from '../../lib/core/report-summary.js';
import { mergeResults } from '../../lib/core/run-merge.js';
import type { Outcome, SweepResult } from '../../lib/core/result-model.js';
import { addCounts, countImages, emptyCounts } from '../../lib/engine/result-builder.js';
import { parseCsv } from '../fixtures/csv.js';
import { buildSampleResult } from '../fixtures/sample-result.js';
import { renderRuleTotals } from '../../lib/cli/format-rule-totals.js';
import { ECR_PRICES } from '../../lib/core/ecr-prices.js';
import { escapeHtml } from '../../lib/core/report-html.js';
import { buildInsights, type ReportInsights } from '../../lib/core/report-insights.js';
import { formatUsd, moneyLines, ruleCostPerMonth } from '../../lib/core/report-money.js';
import { ruleName, ruleTotals } from '../../lib/core/report-rules.js';
import { formatBytes as formatBytesCli } from '../../lib/cli/format-bytes.js';
import { countOf, formatCount } from '../../lib/core/report-summary.js';
import { IN_USE_COUNT_KEYS, countImagesInUse, inUseFigures, inUseSummaryBody } from '../../lib/core/report-in-use.js';
import { renderInUseFailures } from '../../lib/cli/format-in-use.js';

type Counted = Exclude<keyof RunFigures, 'dryRun'>;
type Shown = Partial<Record<Counted, string>>;

const LABEL_KEYS = new Map<string, Counted>(Object.entries(FIGURE_LABELS).map(([key, label]) => [label, key as Counted]));

/** Every file as written to the report store, plus the Slack message and the CLI table. */
function renderAll(result: SweepResult, insights: ReportInsights = insightsOf(result)) {
  const files = Object.fromEntries(resultFiles(result, {}, insights).map((f) => [f.kind, f.render()]));
  return {
    json: JSON.parse(files.resultJson!) as SweepResult,
    csv: parseCsv(files.resultCsv!),
    html: files.reportHtml!,
    slack: buildSlackMessage(result, { insights }),
    cli: renderResultTable(result) + renderRuleTotals(result, insights),
  };
}

function insightsOf(result: SweepResult): ReportInsights {
  return buildInsights({ result, region: 'us-east-1', prices: ECR_PRICES, stored: null, runs: null });
}

/** The totals cards: `data-total` key → shown value. */
function htmlCards(html: string): Shown {
  const shown: Shown = {};
  for (const m of html.matchAll(/data-total="(\w+)"><div class="label">([^<]+)<\/div><div class="value">([^<]+)</g)) {
    // The card's label must be the shared label of the count it shows.
    expect(LABEL_KEYS.get(m[2]!) ?? m[1], `card ${m[1]}`).toBe(m[1]);
    if (m[1] !== 'mode') shown[m[1] as Counted] = m[3]!;
  }
  return shown;
}

/** The totals fields of the Slack message: label → first number or size. */
function slackFields(blocks: readonly SlackBlock[]): Shown {
  const shown: Shown = {};
  for (const block of blocks) {
    if (block.type !== 'section' || !block.fields) continue;
    for (const f of block.fields) {
      const [, label, value] = /^\*(.+)\*\n(.+)$/.exec(f.text)!;
      const key = LABEL_KEYS.get(label!);
      // "25 of 28 planned" shows deleted and planned; "8 (3 not listed)" repositories.
      if (key) shown[key] = /^[\d,.]+( [KMGT]?i?B)?/.exec(value!)![0];
      if (key === 'deleted') shown.planned = /of ([\d,]+) planned/.exec(value!)![1]!;
    }
  }
  return shown;
}

/** The CLI's total row, by column heading. */
function cliTotals(text: string): Shown {
  const cells = (line: string) => line.split('│').slice(1, -1).map((c) => c.trim());
  const lines = text.split('\n');
  const head = cells(lines.find((l) => l.startsWith('│ Repository'))!);
  const total = cells(lines.find((l) => l.startsWith('│ Total:'))!);
  const shown: Shown = { repositories: /Total: ([\d,]+) repositor/.exec(total[0]!)![1]! };
  head.forEach((label, i) => {
    const key = LABEL_KEYS.get(label);
    if (key) shown[key] = total[i]!;
  });
  return shown;
}

/** Counts recomputed from the CSV's rows, which carry one outcome per image. */
function csvCounts(rows: string[][]): Partial<Record<Counted, number>> {
  const [header, ...body] = rows;
  const col = (name: string) => header!.indexOf(name);
  const outcomes = body.map((r) => r[col('outcome')]);
  const count = (...names: string[]) => outcomes.filter((o) => names.includes(o!)).length;
  return {
    images: body.length,
    planned: body.filter((r) => r[col('decision')] === 'delete').length,
    deleted: count('deleted', 'already-gone'),
    wouldDelete: count('would-delete'),
    failedDeletions: count('failed'),
    skipped: count('skipped'),
    kept: count('kept', 'transition-planned'),
    archived: count('archived', 'already-archived'),
  };
}

/** The sample apply result with two of its kept images archived instead, counted as the engine counts. */
function withArchived(): SweepResult {
  const result = buildSampleResult();
  const repository = result.repositories.find((r) => r.repositoryName === 'batch/report-worker')!;
  const outcomes: Outcome[] = [{ status: 'archived' }, { status: 'archived', alreadyArchived: true }];
  repository.images
    .filter((i) => i.outcome.status === 'kept')
    .slice(0, 2)
    .forEach((image, k) => {
      image.decision = 'transition';
      image.outcome = outcomes[k]!;
    });
  repository.counts = countImages(repository.images);
  const totals = emptyCounts();
  for (const r of result.repositories) addCounts(totals, r.counts);
  result.totals = { ...result.totals, ...totals };
  return result;
}

const number = (text: string | undefined) => Number(String(text).replace(/,/g, ''));

describe.each([
  ['apply', buildSampleResult()],
  ['dry-run', buildSampleResult({ mode: 'dry-run' })],
  ['apply, 30 more repositories', buildSampleResult({ extraRepositories: 30, imagesPerExtraRepository: 20 })],
  ['apply, 2 images archived', withArchived()],
])('every renderer shows the same numbers (%s)', (_name, result) => {
  const figures = runFigures(result);
  const out = renderAll(result);
  const failures = collectFailures(result);

  it('says how many images were archived, in the CLI too', () => {
    if (figures.archived > 0) expect(out.cli).toContain(`${FIGURE_LABELS.archived}: ${figures.archived} images moved to archive storage`);
    else expect(out.cli).not.toContain(`${FIGURE_LABELS.archived}:`);
  });

  it('has failed deletions and a failed repository to compare (apply)', () => {
    expect(figures.failedRepositories).toBe(1);
    if (!figures.dryRun) expect(figures.failedDeletions).toBeGreaterThan(0);
  });

  it('result.json holds the counts every other renderer shows', () => {
    const t = out.json.totals;
    expect({
      repositories: t.repositories,
      failedRepositories: t.failedRepositories,
      images: t.images,
      planned: t.planned,
      deleted: t.deleted,
      wouldDelete: t.wouldDelete,
      failedDeletions: t.failed,
      skipped: t.skipped,
      kept: t.kept,
      archived: t.archived,
    }).toEqual({
      repositories: figures.repositories,
      failedRepositories: figures.failedRepositories,
      images: figures.images,
      planned: figures.planned,
      deleted: figures.deleted,
      wouldDelete: figures.wouldDelete,
      failedDeletions: figures.failedDeletions,
      skipped: figures.skipped,
      kept: figures.kept,
      archived: figures.archived,
    });
    expect(out.json.repositories.filter((r) => r.status === 'failed')).toHaveLength(figures.failedRepositories);
  });

  it('result.csv has one row per counted image, with the outcomes the totals count', () => {
    const fromCsv = csvCounts(out.csv);
    for (const [key, value] of Object.entries(fromCsv)) expect(value, key).toBe(figures[key as Counted]);
  });

  it('the HTML cards, the Slack fields and the CLI total row agree with each other and with the JSON', () => {
    const renderers = { html: htmlCards(out.html), slack: slackFields(out.slack.blocks), cli: cliTotals(out.cli) };
    // The counts each renderer must show, for this mode.
    const required: Counted[] = figures.dryRun ? ['wouldDelete', 'bytesWouldFree'] : ['deleted', 'failedDeletions', 'skipped', 'bytesFreed'];
    for (const [name, shown] of Object.entries(renderers)) {
      for (const key of required) expect(shown[key], `${name} shows ${key}`).toBeDefined();
      // The CLI says it in a line under the table: `Archived: 2 images moved to archive storage`.
      if (figures.archived > 0 && name !== 'cli') expect(shown.archived, `${name} shows archived`).toBeDefined();
      // A dry run shows no "skipped" and no "deleted" anywhere: nothing was attempted.
      if (figures.dryRun) expect(Object.keys(shown), name).not.toEqual(expect.arrayContaining(['skipped']));
      if (figures.dryRun) expect(Object.keys(shown), name).not.toEqual(expect.arrayContaining(['deleted']));
      for (const [key, value] of Object.entries(shown) as Array<[Counted, string]>) {
        if (key === 'bytesFreed' || key === 'bytesWouldFree') {
          expect(value, `${name} ${key}`).toBe(formatBytes(figures[key]));
        } else {
          expect(number(value), `${name} ${key}`).toBe(figures[key]);
        }
      }
    }
  });

  it('the failure lists count what the failure totals count, in every renderer', () => {
    expect(failures).toHaveLength(figures.failedDeletions + figures.failedRepositories);
    const summary = failureSummary(figures);
    expect(summary).not.toBe('');
    // HTML: the heading names both counts, the table has one row per failure.
    expect(out.html).toContain(`<h2>Failures: ${summary}</h2>`);
    const table = out.html.slice(out.html.indexOf('id="failure-table"'), out.html.indexOf('</table>', out.html.indexOf('id="failure-table"')));
    expect(table.match(/<tr>/g)).toHaveLength(failures.length + 1);
    // Slack: the header (apply) and the failures heading say the same.
    const texts = out.slack.blocks.flatMap((b) => (b.type === 'header' ? [b.text.text] : b.type === 'section' && b.text ? [b.text.text] : []));
    if (!figures.dryRun) expect(texts[0]).toBe(`ECR sweep: ${figures.deleted} images deleted, ${summary}`);
    expect(texts.filter((t) => t.startsWith(`*Failures: ${summary}*\n`))).toHaveLength(1);
    // CLI: a section per kind, each headed by its count.
    expect(out.cli).toContain(`${FIGURE_LABELS.failedRepositories} (${figures.failedRepositories})`);
    if (figures.failedDeletions > 0) expect(out.cli).toContain(`${FIGURE_LABELS.failedDeletions} (${figures.failedDeletions}):`);
    // CSV: one failed row per failed deletion (a repository failure has no image row).
    expect(out.csv.filter((r) => r[out.csv[0]!.indexOf('outcome')] === 'failed')).toHaveLength(figures.failedDeletions);
  });

  it('the repository count agrees with the rows of every table it sits above', () => {
    const rows = out.html.slice(out.html.indexOf('id="repository-table"'), out.html.indexOf('</table>', out.html.indexOf('id="repository-table"')));
    expect(rows.match(/<tr data-repository=/g)).toHaveLength(figures.repositories);
    expect(out.html).toContain(`<h2>Repositories (${figures.repositories})</h2>`);
    // The CLI hides repositories with nothing to do, and says how many and why.
    // The repository table only: the per-rule table follows it.
    const cliRows = out.cli.split('Per rule:')[0]!.split('\n').filter((l) => l.startsWith('│ ') && !l.startsWith('│ Repository') && !l.startsWith('│ Total:'));
    const hidden = figures.repositories - cliRows.length;
    expect(hidden).toBeGreaterThan(0);
    expect(out.cli).toContain(`Total: ${figures.repositories} repositories (${hidden} not shown)`);
    expect(out.cli).toMatch(new RegExp(`^${hidden} repositories not shown: `, 'm'));
  });
});

describe.each([
  ['apply', buildSampleResult()],
  ['dry-run', buildSampleResult({ mode: 'dry-run' })],
])('every renderer shows the same totals per rule and the same money (%s)', (_name, result) => {
  const insights = insightsOf(result);
  const out = renderAll(result, insights);
  const totals = ruleTotals(result);
  const dryRun = result.mode !== 'apply';
  const money = moneyLines(insights.money, dryRun);

  it('has rules to compare, and their rows add up to the run totals', () => {
    expect(totals.length).toBeGreaterThan(1);
    const f = runFigures(result);
    expect(totals.reduce((s, t) => s + t.bytes, 0)).toBe(dryRun ? f.bytesWouldFree : f.bytesFreed);
  });

  it('the HTML per-rule table, the Slack per-rule lines and the CLI per-rule table show each rule with its images, bytes and cost', () => {
    const htmlTable = out.html.slice(out.html.indexOf('id="rule-table"'), out.html.indexOf('</table>', out.html.indexOf('id="rule-table"')));
    const slack = out.slack.blocks.flatMap((b) => (b.type === 'section' && b.text ? [b.text.text] : [])).find((t) => t.startsWith('*Per rule*'))!;
    const cliRows = out.cli.split('\n').filter((l) => l.startsWith('│ '));
    for (const t of totals) {
      const name = ruleName(t.rule);
      const cost = formatUsd(ruleCostPerMonth(t.bytes, insights.money)!);
      expect(htmlTable, name).toContain(
        `<tr data-rule="${escapeHtml(name)}"><td>${escapeHtml(name)}</td><td class="num">${formatCount(t.images)}</td><td class="num">${formatBytes(t.bytes)}</td>`,
      );
      expect(htmlTable, name).toContain(`<td class="num">${cost}</td></tr>`);
      expect(slack, name).toContain(`\`${name}\`: ${dryRun ? 'would delete' : 'deleted'} ${formatCount(t.images)} (${formatBytes(t.bytes)})`);
      const row = cliRows.find((l) => l.startsWith(`│ ${name} `))!;
      const cells = row.split('│').slice(1, -1).map((c) => c.trim());
      expect(cells, name).toEqual([name, formatCount(t.images), formatBytesCli(t.bytes), cost]);
    }
    expect(htmlTable.match(/<tr data-rule=/g)).toHaveLength(totals.length);
  });

  it('the money lines are the same sentences in HTML, Slack and the CLI, each labelled an estimate', () => {
    const slack = out.slack.blocks.flatMap((b) => (b.type === 'section' && b.text ? [b.text.text] : [])).join('\n');
    for (const line of [money.freed, money.basis]) {
      expect(out.html).toContain(escapeHtml(line));
      expect(slack).toContain(line.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'));
      expect(out.cli).toContain(line);
    }
    expect(money.freed).toMatch(/\(estimated\)$/);
    expect(out.html).toContain('<h2>Money (estimated)</h2>');
  });
});

describe.each([
  ['apply', buildSampleResult()],
  ['dry-run', buildSampleResult({ mode: 'dry-run' })],
  ['apply, ECS failed', buildSampleResult({ inUse: 'failed' })],
  ['dry-run, 30 more repositories', buildSampleResult({ mode: 'dry-run', extraRepositories: 30, imagesPerExtraRepository: 20 })],
])('every renderer shows the same in-use figures (%s)', (_name, result) => {
  const figures = runFigures(result);
  const inUse = inUseFigures(result.inUse)!;
  const out = renderAll(result);
  const slack = out.slack.blocks.flatMap((b) => (b.type === 'header' ? [b.text.text] : b.type === 'section' && b.text ? [b.text.text] : []));
  const htmlInUse = (key: string) => number(new RegExp(`data-in-use="${key}"><dt>[^<]+</dt><dd>([\\d,]+)</dd>`).exec(out.html)?.[1]);

  it('keeps images in use, so there is something to compare', () => {
    expect(figures.inUseKept).toBeGreaterThan(0);
    expect(inUse.usages).toBeGreaterThan(0);
  });

  it('images kept in use: result.json, the HTML card and count, the CLI line and the Slack line say the same number', () => {
    // The engine's report and the figure counted from the images are one number.
    expect(out.json.inUse!.imagesKept).toBe(figures.inUseKept);
    expect(number(htmlCards(out.html).inUseKept)).toBe(figures.inUseKept);
    expect(htmlInUse('inUseKept')).toBe(figures.inUseKept);
    expect(out.cli).toContain(`\nin use: ${countOf(figures.inUseKept, 'image')} kept`);
    expect(inUseSummaryBody(result.inUse!, figures.inUseKept).startsWith(`${countOf(figures.inUseKept, 'image')} kept`)).toBe(true);
    expect(slack).toContain(`:shield: *In use:* ${inUseSummaryBody(result.inUse!, figures.inUseKept)}`);
  });

  it('usages found and the resolution counts: the HTML shows the JSON numbers, and the CLI and Slack lines add up to the same usages', () => {
    expect(htmlInUse('usages')).toBe(out.json.inUse!.sources.reduce((n, s) => n + (s.status === 'scanned' ? s.usages : 0), 0));
    for (const key of IN_USE_COUNT_KEYS) expect(htmlInUse(key), key).toBe(out.json.inUse!.counts[key]);
    const line = out.cli.split('\n').find((l) => l.startsWith('in use: '))!;
    const perSource = [...line.matchAll(/(?:ECS|Lambda|Batch|App Runner|in-use files) ([\d,]+)/g)].map((m) => number(m[1]));
    expect(perSource.reduce((a, b) => a + b, 0)).toBe(inUse.usages);
    expect(slack.some((t) => t.endsWith(line.slice('in use: '.length)))).toBe(true);
  });

  it('images in use: the CSV rows with used_by, the HTML list heading and the JSON images with usages agree', () => {
    const count = countImagesInUse(out.json.repositories);
    expect(out.csv.slice(1).filter((r) => r[out.csv[0]!.indexOf('used_by')] !== '')).toHaveLength(count);
    expect(out.html).toContain(`<h3>Images in use (${formatCount(count)})</h3>`);
  });

  it('a failed source is named in the HTML banner, the Slack header, the CLI line and error block, and nowhere when all were read', () => {
    if (inUse.failed.length === 0) {
      expect(out.html).not.toContain('id="in-use-failed"');
      expect(slack[0]).not.toContain('IN-USE');
      expect(out.cli).not.toMatch(/ failed[;)]/);
      expect(renderInUseFailures(result.inUse)).toBe('');
      return;
    }
    // The first banner of the page and the first lines of the Slack message.
    expect(out.html.slice(out.html.indexOf('<div class="banner'))).toMatch(/^<div class="banner banner-error" role="alert" id="in-use-failed">/);
    expect(slack[0]).toMatch(/^ECR sweep: IN-USE SCAN FAILED \(ECS\); /);
    expect(slack[1]).toMatch(/^:rotating_light: \*In-use scan failed: 1 in-use source could not be read/);
    expect(out.slack.text).toMatch(/^IN-USE SCAN FAILED \(ECS\)/);
    expect(out.cli).toContain('in use: 2 images kept (ECS failed; ');
    for (const text of [out.html, slack[1]!, renderInUseFailures(result.inUse)]) expect(text).toContain('ECS (all clusters): AccessDeniedException');
  });
});

describe('a multi-target run: every renderer shows each target\'s figures by the one definition (targetFigures)', () => {
  const targets = [
    { accountId: '111111111111', region: 'eu-west-1' },
    { accountId: '222222222222', region: 'us-east-1' },
  ];
  const result = mergeResults({
    runId: 'run-org',
    mode: 'apply',
    rulesSource: 'org.yml',
    now: '2026-11-27T06:00:00.000Z',
    startedAt: '2026-11-27T06:00:00.000Z',
    finishedAt: '2026-11-27T06:01:00.000Z',
    done: targets.map((target, i) => ({ target, result: buildSampleResult({ mode: 'apply', extraRepositories: i + 1 }) })),
    failed: [{ accountId: '333333333333', region: 'eu-west-1', error: { code: 'AccessDenied', message: 'no' } }],
  });
  const all = renderAll(result);
  const perTarget = targetFigures(result);

  it('the run\'s cards are the sums of the targets\' figures, and the JSON holds both', () => {
    const cards = htmlCards(all.html);
    const sum = (key: 'deleted' | 'images' | 'failedDeletions' | 'failedRepositories') => perTarget.reduce((n, t) => n + t.figures[key], 0);
    expect(cards.deleted).toBe(formatCount(sum('deleted')));
    expect(cards.images).toBe(formatCount(sum('images')));
    expect(cards.failedDeletions).toBe(formatCount(sum('failedDeletions')));
    expect(all.json.totals.failedTargets).toBe(1);
    expect(all.json.targets!.map((t) => t.totals.deleted)).toEqual(perTarget.map((t) => t.figures.deleted));
  });

  it('each target\'s deleted, images and bytes read the same in the HTML section, the CLI line and the Slack line', () => {
    const slack = targetsSection(all.slack.blocks);
    for (const { target, figures } of perTarget) {
      if (target.status === 'failed') continue;
      const section = new RegExp(`data-target="${target.key}"[\\s\\S]*?</section>`).exec(all.html)![0];
      expect(section).toContain(`data-target-figure="deleted">${FIGURE_LABELS.deleted}: <strong>${formatCount(figures.deleted)}</strong>`);
      expect(section).toContain(`data-target-figure="images">${FIGURE_LABELS.images}: <strong>${formatCount(figures.images)}</strong>`);
      expect(section).toContain(`<strong>${formatBytes(figures.bytesFreed)}</strong>`);
      const cli = all.cli.split('\n').find((l) => l.startsWith(`  - ${target.key} `))!;
      expect(cli).toContain(`${FIGURE_LABELS.deleted} ${formatCount(figures.deleted)}`);
      expect(cli).toContain(`${FIGURE_LABELS.images} ${formatCount(figures.images)}`);
      expect(cli).toContain(formatBytesCli(figures.bytesFreed));
      const line = slack.split('\n').find((l) => l.includes(`\`${target.key}\``))!;
      expect(line).toContain(`${countOf(figures.deleted, 'image')} deleted (${formatBytes(figures.bytesFreed)})`);
    }
  });
});

/** The Slack message's Targets section text. */
function targetsSection(blocks: readonly SlackBlock[]): string {
  for (const block of blocks) if (block.type === 'section' && block.text?.text.startsWith('*Targets')) return block.text.text;
  throw new Error('the message has no Targets section');
}
