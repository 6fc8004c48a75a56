/**
 * The sections of the HTML report drawn from more than the run itself: money, totals per rule,
 * the trend of the last runs (inline SVG from the history only) and the changes since the last
 * run. Split from report-html.ts so each stays readable; the page's CSP still covers them (no
 * style attribute, no external asset).
 */
import { formatBytes, formatCount, formatTime, countOf, shortDigest, isDryRun } from './report-summary.js';
import type { SweepResult } from './result-model.js';
import type { ReportInsights } from './report-insights.js';
import type { RunHistoryEntry } from './report-history.js';
import { formatUsd, moneyLines, ruleCostPerMonth, MONEY_LABELS } from './report-money.js';
import { RULE_LABELS, ruleName, ruleTotals } from './report-rules.js';

type Escape = (value: string) => string;

/** Changed images listed in the page; the rest are counted. */
export const MAX_CHANGE_ROWS = 500;

/** The money block: freed and archived estimates with their basis. */
export function renderMoney(result: SweepResult, insights: ReportInsights | undefined, esc: Escape): string {
  if (!insights) return '';
  const lines = moneyLines(insights.money, isDryRun(result));
  const items = [lines.freed, lines.archived].filter((l): l is string => l !== null);
  return `<section id="money"><h2>Money (estimated)</h2><ul class="money">${items.map((l) => `<li>${esc(l)}</li>`).join('')}</ul><p class="note">${esc(lines.basis)}</p></section>`;
}

/** Totals per rule: what each rule deleted and archived, or would. */
export function renderRuleTotals(result: SweepResult, insights: ReportInsights | undefined, esc: Escape): string {
  const dryRun = isDryRun(result);
  const mode = dryRun ? 'dryRun' : 'apply';
  const totals = ruleTotals(result);
  if (totals.length === 0) {
    return `<section id="rules"><h2>${RULE_LABELS.heading}</h2><p class="note">No rule ${dryRun ? 'would delete or archive' : 'deleted or archived'} anything.</p></section>`;
  }
  const archives = totals.some((t) => t.archivedImages > 0);
  const priced = insights?.money.price != null;
  const head = [
    `<th>${RULE_LABELS.rule}</th>`,
    `<th class="num">${RULE_LABELS.images[mode]}</th>`,
    `<th class="num">${RULE_LABELS.bytes[mode]}</th>`,
    ...(archives ? [`<th class="num">${RULE_LABELS.archivedImages[mode]}</th>`, `<th class="num">${RULE_LABELS.archivedBytes[mode]}</th>`] : []),
    ...(priced ? [`<th class="num">${MONEY_LABELS.short[mode]} / month</th>`] : []),
  ].join('');
  const rows = totals
    .map((t) => {
      const cost = ruleCostPerMonth(t.bytes, insights?.money);
      return `<tr data-rule="${esc(ruleName(t.rule))}"><td>${esc(ruleName(t.rule))}</td><td class="num">${formatCount(t.images)}</td><td class="num">${esc(formatBytes(t.bytes))}</td>${
        archives ? `<td class="num">${formatCount(t.archivedImages)}</td><td class="num">${esc(formatBytes(t.archivedBytes))}</td>` : ''
      }${priced ? `<td class="num">${esc(cost === null ? '-' : formatUsd(cost))}</td>` : ''}</tr>`;
    })
    .join('\n');
  return `<section id="rules"><h2>${RULE_LABELS.heading}</h2><div class="table-wrap"><table class="data" id="rule-table"><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table></div>${
    priced ? '<p class="note">Costs are estimates of standard storage per month; see Money.</p>' : ''
  }</section>`;
}

/**
 * The trend of the last runs, from the history only: the registry's size and the deletions per
 * run, as two inline SVG charts. Shapes only in the SVG (it is stretched to the page's width);
 * every figure is HTML text, so it stays readable on a phone.
 */
export function renderTrend(insights: ReportInsights | undefined, esc: Escape): string {
  if (!insights) return '';
  const heading = '<h2>Trend</h2>';
  if (insights.history === null) return `<section id="trend">${heading}<p class="note">${esc(insights.historyNote ?? 'The run history could not be read.')}</p></section>`;
  const runs = insights.history;
  if (runs.length < 2) {
    return `<section id="trend">${heading}<p class="note" id="trend-empty">No history yet: this is the first run recorded in this report store. The trend of the registry's size and of the deletions appears from the next run on (up to the last 90 runs).</p></section>`;
  }
  const first = runs[0]!;
  const last = runs[runs.length - 1]!;
  const dates = `<div class="trend-dates"><span>${esc(formatTime(first.now))}</span><span>${esc(formatTime(last.now))}</span></div>`;
  const size = trendChart('trend-size', 'Registry size', runs, (r) => r.bytes, 'line', formatBytes, esc);
  const deletions = trendChart('trend-deletions', 'Deletions (deleted, or would delete in a dry run)', runs, (r) => r.deletions, 'bars', (n) => formatCount(n), esc);
  return `<section id="trend">${heading}<p class="note">The last ${formatCount(runs.length)} runs recorded in this report store (at most 90), from ${esc(formatTime(first.now))} to ${esc(formatTime(last.now))}.</p>
<div class="trend-grid">${size}${deletions}</div>${dates}</section>`;
}

function trendChart(
  id: string,
  title: string,
  runs: readonly RunHistoryEntry[],
  pick: (r: RunHistoryEntry) => number,
  kind: 'line' | 'bars',
  format: (n: number) => string,
  esc: Escape,
): string {
  const values = runs.map(pick);
  const max = Math.max(1, ...values);
  const n = values.length;
  const latest = values[n - 1] ?? 0;
  const previous = values[n - 2] ?? 0;
  // x in 0..1000, y in 0..100 (top is 0): the SVG is stretched, the numbers are HTML.
  const x = (i: number) => (n === 1 ? 500 : (i / (n - 1)) * 1000);
  const y = (v: number) => 100 - (v / max) * 96;
  let shapes: string;
  if (kind === 'line') {
    const points = values.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
    shapes = `<polygon class="trend-area" points="0,100 ${points} 1000,100"></polygon><polyline class="trend-line" points="${points}" vector-effect="non-scaling-stroke"></polyline>`;
  } else {
    const slot = 1000 / n;
    const width = Math.max(1, slot * 0.7);
    shapes = values
      .map((v, i) => (v > 0 ? `<rect class="trend-bar" x="${(i * slot + (slot - width) / 2).toFixed(1)}" y="${y(v).toFixed(1)}" width="${width.toFixed(1)}" height="${(100 - y(v)).toFixed(1)}"></rect>` : ''))
      .join('');
  }
  const label = `${title}: ${format(latest)} at the last run, ${format(previous)} at the run before; highest ${format(max)}`;
  return `<figure class="trend" id="${id}"><figcaption><strong>${esc(title)}</strong><span class="trend-latest">${esc(format(latest))} <span class="note">(previous run ${esc(format(previous))})</span></span></figcaption>
<div class="trend-plot"><span class="trend-max">scale 0 to ${esc(format(max))}</span><svg class="trend-svg" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1000 100" preserveAspectRatio="none" width="100%" height="110" role="img" aria-label="${esc(label)}">${shapes}<line class="trend-axis" x1="0" y1="100" x2="1000" y2="100" vector-effect="non-scaling-stroke"></line></svg></div></figure>`;
}

/** What changed since the last run: repositories whose status changed and images whose decision changed, with both reasons. */
export function renderChanges(insights: ReportInsights | undefined, esc: Escape, maxRows = MAX_CHANGE_ROWS): string {
  if (!insights) return '';
  const heading = '<h2>Changes since the last run</h2>';
  if (insights.history === null) return `<section id="changes">${heading}<p class="note">${esc(insights.historyNote ?? 'The run history could not be read.')}</p></section>`;
  const changes = insights.changes;
  if (changes === null) {
    return `<section id="changes">${heading}<p class="note" id="changes-none">No previous run: this is the first run recorded in this report store, so there is nothing to compare with yet.</p></section>`;
  }
  const since = `Compared with run <code>${esc(changes.previousRunId)}</code>, evaluated ${esc(formatTime(changes.previousNow))}.`;
  if (changes.repositories.length === 0 && changes.images.length === 0) {
    return `<section id="changes">${heading}<p class="note">${since} No repository and no image changed decision.</p></section>`;
  }
  const summary = `${countOf(changes.repositories.length, 'repository', 'repositories')} changed status and ${countOf(changes.images.length, 'image')} changed decision.`;
  const repoTable = changes.repositories.length
    ? `<div class="table-wrap"><table class="data" id="changed-repositories"><thead><tr><th>Repository</th><th>Before</th><th>Now</th></tr></thead><tbody>${changes.repositories
        .map(
          (c) =>
            `<tr><td>${esc(c.repositoryName)}</td><td><span class="status status-${esc(c.before.status)}">${esc(c.before.status)}</span> ${esc(c.before.reason)}</td><td><span class="status status-${esc(c.after.status)}">${esc(c.after.status)}</span> ${esc(c.after.reason)}</td></tr>`,
        )
        .join('\n')}</tbody></table></div>`
    : '';
  const shown = changes.images.slice(0, Math.max(0, maxRows));
  const imageTable = shown.length
    ? `<div class="table-wrap"><table class="data" id="changed-images"><thead><tr><th>Repository</th><th>Digest</th><th>Tags</th><th>Before</th><th>Now</th></tr></thead><tbody>${shown
        .map(
          (c) =>
            `<tr data-before="${esc(c.before.decision)}" data-after="${esc(c.after.decision)}"><td>${esc(c.repositoryName)}</td><td class="mono" title="${esc(c.imageDigest)}">${esc(shortDigest(c.imageDigest))}</td><td>${esc(c.imageTags.join(' '))}</td><td><span class="decision decision-${esc(c.before.decision)}">${esc(c.before.decision)}</span> ${esc(c.before.reason)}</td><td><span class="decision decision-${esc(c.after.decision)}">${esc(c.after.decision)}</span> ${esc(c.after.reason)}</td></tr>`,
        )
        .join('\n')}</tbody></table></div>`
    : '';
  const more = changes.images.length > shown.length ? `<p class="note">${formatCount(changes.images.length - shown.length)} more changed images are not shown.</p>` : '';
  return `<section id="changes">${heading}<p>${since} <strong>${esc(summary)}</strong></p>${repoTable}${imageTable}${more}</section>`;
}

/** Styles of these sections, appended to the page's (hashed) style sheet. */
export const INSIGHTS_STYLE = `
.money{margin:0;padding-left:20px;font-size:15px}
.trend-grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,360px),1fr));gap:14px}
.trend{margin:0;border:1px solid var(--line);border-radius:8px;padding:10px 12px;min-width:0}
.trend figcaption{display:flex;flex-wrap:wrap;justify-content:space-between;gap:4px 12px;margin-bottom:4px}
.trend-max{display:block;font-size:12px;color:var(--muted);margin-bottom:2px}
.trend-svg{display:block;width:100%;height:110px}
.trend-area{fill:#dbe7fb}.trend-line{fill:none;stroke:var(--bytes);stroke-width:2}
.trend-bar{fill:var(--images)}.trend-axis{stroke:var(--line);stroke-width:1}
.trend-dates{display:flex;justify-content:space-between;color:var(--muted);font-size:12px;margin-top:4px}
.decision-keep{background:#e8f5e9;border-color:#81c784}.decision-transition{background:#f3e5f5;border-color:#ba68c8}
`;
