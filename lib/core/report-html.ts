/**
 * The HTML audit report: one self-contained page (inline CSS, inline SVG chart, a small inline
 * script, no external asset and a Content-Security-Policy that forbids the network) that a
 * registry owner can open from S3 or a local directory and read before trusting a sweep.
 */
import { createHash } from 'node:crypto';
import { describeTarget, targetKey } from './targets.js';
import type { RepositoryResult, ResultImage, ResultTarget, SweepResult } from './result-model.js';
import type { PlanWarning } from './plan-model.js';
import { policyValues } from './policy-settings.js';
import type { ReportInsights } from './report-insights.js';
import { INSIGHTS_STYLE, renderChanges, renderMoney, renderRuleTotals, renderTrend } from './report-html-insights.js';
import { IN_USE_STYLE, MAX_IN_USE_ROWS, renderInUse, renderInUseBanner } from './report-html-in-use.js';
import { inUseFigures } from './report-in-use.js';
import {
  repositoryLabel,
  targetFigures,
  FIGURE_LABELS,
  NOT_LISTED,
  collectFailures,
  countOf,
  failureSummary,
  formatBytes,
  formatCount,
  formatDuration,
  formatTime,
  imagesListed,
  isDryRun,
  outcomeDetail,
  outcomeLabel,
  shortDigest,
  summarizeRepositories,
  runFigures,
  topRepositories,
  type RepositorySummary,
  type RunFigures,
} from './report-summary.js';

export interface ReportHtmlOptions {
  /** Page title; default `ECR sweep report: <run id>`. */
  title?: string;
  /** Repositories drawn in the chart before the rest fold into one "others" bar. Default 12. */
  chartTopN?: number;
  /** Repositories drawn on a narrow screen (≤ 640 px) before the rest fold into "others". Default 6. */
  chartNarrowTopN?: number;
  /** Rows the per-image table renders at a time ("Show more" adds as many again). Default 500. */
  pageSize?: number;
  /** Rows of the failures table; the rest are counted and left to result.csv. Default 1000. */
  maxFailureRows?: number;
  /** Money, trend and diff (from the report store's history); without them those sections are left out. */
  insights?: ReportInsights;
  /** In-use images listed in the "In use" section; the rest are counted and left to result.csv. Default 200. */
  maxInUseRows?: number;
  /**
   * Rows the page carries in its per-image table at most (default {@link MAX_IMAGE_ROWS}); beyond
   * it the page carries the deletions, archives and failures first, then kept images, and links to
   * result.csv, which has every row. Totals, chart and tables come from the counts, never the rows.
   */
  maxImageRows?: number;
}

/**
 * Rows of the per-image table a report page carries by default: about 4 MiB of page, which a
 * browser opens at once. A million-image run would otherwise make a page of ~200 MiB.
 */
export const MAX_IMAGE_ROWS = 20_000;

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => HTML_ENTITIES[c] ?? c);
}

const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * JSON safe to embed in a `<script type="application/json">`: `<`, `>`, `&` and the JS line
 * separators are escaped so no user string can close the element or open a comment.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/**
 * Renders the report page for a sweep result.
 *
 * @example
 * ```ts
 * await writeFile('report.html', renderReportHtml(result, { chartTopN: 10 }));
 * ```
 */
export function renderReportHtml(result: SweepResult, options: ReportHtmlOptions = {}): string {
  const title = options.title ?? `ECR sweep report: ${result.runId}`;
  const dryRun = isDryRun(result);
  const summaries = summarizeRepositories(result);
  const figures = runFigures(result);
  const style = STYLE + INSIGHTS_STYLE + IN_USE_STYLE;
  const insights = options.insights;
  const script = SCRIPT;
  const csp = [
    "default-src 'none'",
    `style-src '${sha256(style)}'`,
    `script-src '${sha256(script)}'`,
    "img-src data:",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  const data = imageData(result, options.pageSize ?? 500, options.maxImageRows ?? MAX_IMAGE_ROWS);

  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)}</title>
<style>${style}</style>
</head>
<body class="${dryRun ? 'mode-dry-run' : 'mode-apply'}">
<header>
<h1>${escapeHtml(title)}</h1>
<p class="meta">Evaluated at ${escapeHtml(formatTime(result.now))} · finished ${escapeHtml(formatTime(result.finishedAt))} · took ${escapeHtml(formatDuration(result.durationMs))} · rules <code>${escapeHtml(result.rulesSource)}</code></p>
</header>
${renderBanners(result, figures)}
${renderTotals(figures, summaries, result)}
${renderMoney(result, insights, escapeHtml)}
${renderChanges(insights, escapeHtml)}
${renderWarnings(result.warnings)}
${renderInUse(result, figures.inUseKept, escapeHtml, options.maxInUseRows ?? MAX_IN_USE_ROWS)}
${renderChart(result, summaries, options.chartTopN ?? 12, options.chartNarrowTopN ?? 6)}
${renderRuleTotals(result, insights, escapeHtml)}
${renderTrend(insights, escapeHtml)}
${result.targets !== undefined ? renderTargets(result, summaries) : renderRepositoryTable(result, summaries)}
${renderFailures(result, figures, options.maxFailureRows ?? 1000)}
<section id="images">
<h2>Images</h2>
<div class="filters">
<label>Repository <select id="filter-repository"><option value="">All repositories</option>${result.repositories
    .map((r, i) => `<option value="${i}">${escapeHtml(repositoryLabel(r))}</option>`)
    .join('')}</select></label>
<label>Decision <select id="filter-decision"><option value="">All decisions</option><option value="delete">delete</option><option value="keep">keep</option><option value="transition">transition</option></select></label>
<label>Outcome <select id="filter-outcome"><option value="">All outcomes</option>${['deleted', 'already-gone', 'would-delete', 'archived', 'already-archived', 'failed', 'skipped', 'kept', 'transition-planned']
    .map((o) => `<option value="${o}">${o}</option>`)
    .join('')}</select></label>
<label>Search <input id="filter-text" type="search" placeholder="digest, tag or reason"></label>
</div>
${renderRowsCut(data)}<p id="image-count" class="count" aria-live="polite">${formatCount(data.rows.length)} images</p>
<noscript><p class="note">Filtering and the per-image rows need JavaScript. <code>result.csv</code>, next to this report, has every row.</p></noscript>
<div class="table-wrap"><table id="image-table" class="data">
<thead><tr><th>Repository</th><th>Digest</th><th>Tags</th><th>Pushed</th><th>Last pulled</th><th class="num">Size</th><th>Decision</th><th>Rule</th><th>Reason</th><th>Outcome</th></tr></thead>
<tbody id="image-rows"></tbody>
</table></div>
<p><button id="show-more" type="button" hidden>Show more</button></p>
</section>
${renderRunDetails(result)}
<script type="application/json" id="image-data">${jsonForScript(data)}</script>
<script>${script}</script>
</body>
</html>
`;
}

function renderBanners(result: SweepResult, figures: RunFigures): string {
  // A source that could not be read comes first: the run failed closed and could not see what runs.
  const parts: string[] = [renderInUseBanner(result, escapeHtml)].filter(Boolean);
  if (figures.dryRun) {
    parts.push(
      `<div class="banner banner-dry-run" role="status"><strong>DRY RUN — nothing was deleted.</strong> ${formatCount(figures.wouldDelete)} images (${escapeHtml(formatBytes(figures.bytesWouldFree))}) would be deleted by an apply run with these rules.</div>`,
    );
  }
  if (result.abortedReason) {
    parts.push(`<div class="banner banner-error" role="alert"><strong>Sweep aborted:</strong> ${escapeHtml(result.abortedReason)}</div>`);
  }
  if (result.interrupted !== undefined) {
    parts.push(
      `<div class="banner banner-warn" role="status"><strong>Interrupted by ${escapeHtml(result.interrupted)}.</strong> The sweep stopped between batches; ${countOf(result.remainingRepositories.length, 'repository remains', 'repositories remain')} for the next run.</div>`,
    );
  }
  if (result.stoppedByDeadline) {
    const remaining = result.remainingRepositories;
    const shown = remaining.slice(0, 20).map((r) => `<code>${escapeHtml(r)}</code>`).join(', ');
    const more = remaining.length > 20 ? ` and ${formatCount(remaining.length - 20)} more` : '';
    parts.push(
      `<div class="banner banner-warn" role="status"><strong>Stopped by the deadline.</strong> ${countOf(remaining.length, 'repository remains', 'repositories remain')} for the next run${remaining.length ? `: ${shown}${more}` : ''}.</div>`,
    );
  }
  const failed = failureSummary(figures);
  if (failed) {
    parts.push(`<div class="banner banner-error" role="status"><strong>${failed}.</strong> See <a href="#failures">Failures</a>.</div>`);
  }
  return parts.join('\n');
}

/** One card per count; `data-total` is the {@link RunFigures} key, so every card names its definition. */
function renderTotals(figures: RunFigures, summaries: readonly RepositorySummary[], result: SweepResult): string {
  const f = figures;
  const inUse = inUseFigures(result.inUse);
  const repositoriesNote = f.notListedRepositories ? `${formatCount(f.notListedRepositories)} not listed` : undefined;
  const cards: Array<[keyof RunFigures | 'mode', string, string, string?]> = [
    ['mode', 'Mode', f.dryRun ? 'dry run' : 'apply'],
    ['repositories', FIGURE_LABELS.repositories, formatCount(f.repositories), repositoriesNote],
    ['images', FIGURE_LABELS.images, formatCount(f.images)],
  ];
  if (f.dryRun) {
    cards.push(
      ['wouldDelete', FIGURE_LABELS.wouldDelete, formatCount(f.wouldDelete), 'nothing was deleted'],
      ['failedRepositories', FIGURE_LABELS.failedRepositories, formatCount(f.failedRepositories)],
      ['bytesWouldFree', FIGURE_LABELS.bytesWouldFree, formatBytes(f.bytesWouldFree), 'nothing was freed'],
    );
  } else {
    cards.push(
      ['deleted', FIGURE_LABELS.deleted, formatCount(f.deleted), `of ${formatCount(f.planned)} planned`],
      ['failedDeletions', FIGURE_LABELS.failedDeletions, formatCount(f.failedDeletions)],
      ['failedRepositories', FIGURE_LABELS.failedRepositories, formatCount(f.failedRepositories)],
      ['skipped', FIGURE_LABELS.skipped, formatCount(f.skipped), 'planned, not attempted'],
      // Only runs that archived show the card: most rule sets never transition anything.
      ...(f.archived > 0 ? [['archived', FIGURE_LABELS.archived, formatCount(f.archived), 'moved to archive storage, not deleted'] as [keyof RunFigures, string, string, string]] : []),
      ['bytesFreed', FIGURE_LABELS.bytesFreed, formatBytes(f.bytesFreed), `from ${countOf(summaries.filter((s) => s.bytes > 0).length, 'repository', 'repositories')}`],
    );
  }
  // Only runs with in-use sources: a 0 would claim a scan that never ran.
  if (inUse !== null) {
    const note = inUse.failed.length > 0 ? `${countOf(inUse.failed.length, 'source')} failed` : `${countOf(inUse.usages, 'usage')} found`;
    cards.push(['inUseKept', FIGURE_LABELS.inUseKept, formatCount(f.inUseKept), note]);
  }
  const bad = (key: string) =>
    (key === 'failedDeletions' && f.failedDeletions > 0) || (key === 'failedRepositories' && f.failedRepositories > 0) || (key === 'inUseKept' && (inUse?.failed.length ?? 0) > 0);
  const html = cards
    .map(
      ([key, label, value, note]) =>
        `<div class="card card-${key}${bad(key) ? ' card-bad' : ''}" data-total="${key}"><div class="label">${label}</div><div class="value">${escapeHtml(value)}</div>${note ? `<div class="note">${escapeHtml(note)}</div>` : ''}</div>`,
    )
    .join('');
  return `<section id="totals" class="totals">${html}</section>`;
}

/** The plan's "probably not what you meant" notices; no section at all when there are none. */
function renderWarnings(warnings: readonly PlanWarning[]): string {
  if (warnings.length === 0) return '';
  const items = warnings
    .map(
      (w) =>
        `<li data-code="${escapeHtml(w.code)}"><code>${escapeHtml(w.code)}</code>${w.repositoryName ? ` <strong>${escapeHtml(w.repositoryName)}</strong>` : ''}: ${escapeHtml(w.message)}</li>`,
    )
    .join('\n');
  return `<section id="warnings"><h2>Warnings (${formatCount(warnings.length)})</h2><ul class="warnings">${items}</ul></section>`;
}

interface ChartRow extends RepositorySummary {
  others?: boolean;
  /** For an "others" row: how many repositories it folds. */
  repositories?: number;
  /** `wide`: drawn only on a wide screen; `narrow`: only on a narrow one; absent: always. */
  screen?: 'wide' | 'narrow';
}

/**
 * The chart: per repository, a bytes bar and an images bar. HTML text (so labels keep their size
 * on any screen) beside SVG bars whose widths are percentages of the track. Each measure is
 * scaled to its largest *named* repository: an "others" bar that sums dozens of repositories
 * would otherwise squash every named bar, so it is cut at full width and marked off scale. A
 * narrow screen shows fewer named repositories and folds the rest into its own "others" row.
 */
function renderChart(result: SweepResult, summaries: readonly RepositorySummary[], topN: number, narrowTopN: number): string {
  const dryRun = isDryRun(result);
  const heading = dryRun ? 'Would be freed per repository' : 'Freed per repository';
  const wide = topRepositories(summaries, topN);
  const narrowN = Math.max(0, Math.min(Math.floor(topN), Math.floor(narrowTopN)));
  const folds = wide.top.length > narrowN;
  const rows: ChartRow[] = wide.top.map((row, i) => (folds && i >= narrowN ? { ...row, screen: 'wide' } : { ...row }));
  if (wide.others) rows.push(folds ? { ...wide.others, others: true, screen: 'wide' } : { ...wide.others, others: true });
  if (folds) {
    const narrow = topRepositories(summaries, narrowN);
    if (narrow.others) rows.push({ ...narrow.others, others: true, screen: 'narrow' });
  }
  if (rows.length === 0) {
    return `<section id="chart"><h2>${heading}</h2><p class="note">${dryRun ? 'No image would be deleted.' : 'Nothing was deleted.'}</p></section>`;
  }
  const named = rows.filter((r) => !r.others);
  const scaleOf = (pick: (r: ChartRow) => number) => Math.max(1, ...(named.length > 0 ? named : rows).map(pick));
  const bytesScale = scaleOf((r) => r.bytes);
  const imagesScale = scaleOf((r) => r.images);
  const bytesLabel = dryRun ? 'bytes that would be freed' : 'bytes freed';
  const imagesLabel = dryRun ? 'images that would be deleted' : 'images deleted';
  const items = rows
    .map((row) => {
      const name = row.repositoryName;
      const shortName = name.length > 48 ? `…${name.slice(-47)}` : name;
      const bytes = chartBar('bytes', row.bytes, bytesScale, 1);
      const images = chartBar('images', row.images, imagesScale, 16);
      const offScale = bytes.offScale || images.offScale ? '<div class="chart-off-scale">bar cut: more than the scale of the named repositories</div>' : '';
      const classes = ['chart-row', row.others ? 'chart-others' : '', row.screen ? `chart-${row.screen}-only` : ''].filter(Boolean).join(' ');
      return `<li class="${classes}" data-repository="${escapeHtml(name)}" title="${escapeHtml(`${name}: ${formatBytes(row.bytes)}, ${countOf(row.images, 'image')}`)}">
<div class="chart-label"><span class="chart-name">${escapeHtml(shortName)}</span><span class="chart-value">${escapeHtml(`${formatBytes(row.bytes)} · ${countOf(row.images, 'image')}`)}</span></div>
<div class="chart-track"><svg class="chart-bars" xmlns="http://www.w3.org/2000/svg" width="100%" height="30" aria-hidden="true">${bytes.svg}${images.svg}</svg>${offScale}</div>
</li>`;
    })
    .join('\n');
  const legend = `<p class="chart-legend"><span class="key key-bytes"></span>${bytesLabel} <span class="key key-images"></span>${imagesLabel}</p>`;
  const foldNote = (shown: number, folded: number) =>
    `Top ${formatCount(shown)} repositories by bytes; ${countOf(folded, 'more is', 'more are')} folded into "others".`;
  const narrowOthers = folds ? rows.find((r) => r.screen === 'narrow') : undefined;
  const note = wide.others || narrowOthers
    ? `<p class="note">${
        narrowOthers
          ? `<span class="chart-wide-only">${wide.others ? foldNote(wide.top.length, wide.others.repositories) : ''}</span><span class="chart-narrow-only">${foldNote(narrowN, narrowOthers.repositories ?? 0)}</span>`
          : foldNote(wide.top.length, wide.others?.repositories ?? 0)
      } Each measure is scaled to its largest named repository.</p>`
    : '';
  return `<section id="chart"><h2>${heading}</h2>
${legend}<ol id="chart-rows" class="chart" aria-label="${escapeHtml(`${heading}: ${bytesLabel} and ${imagesLabel}`)}">
${items}
</ol>${note}</section>`;
}

/**
 * One bar as a percentage of the track. A value above the scale (only an "others" bar can be)
 * is drawn full width with a white notch near its end: the usual mark of a cut bar.
 */
function chartBar(kind: 'bytes' | 'images', value: number, scale: number, y: number): { svg: string; offScale: boolean } {
  if (value <= 0) return { svg: '', offScale: false };
  const offScale = value > scale;
  // A floor so that a tiny but non-zero value still shows as a sliver.
  const percent = offScale ? 100 : Math.max(0.6, (value / scale) * 100);
  const notch = offScale ? `<rect class="bar-notch" x="91%" y="${y - 1}" width="4" height="15"></rect>` : '';
  return {
    svg: `<rect class="bar bar-${kind}${offScale ? ' bar-off-scale' : ''}" x="0" y="${y}" width="${percent.toFixed(2)}%" height="13" rx="2"></rect>${notch}`,
    offScale,
  };
}

function renderRepositoryTable(result: SweepResult, summaries: readonly RepositorySummary[]): string {
  const dryRun = isDryRun(result);
  const rows = result.repositories.map((r, i) => repositoryRow(r, summaries[i], dryRun)).join('\n');
  const notListed = result.repositories.filter((r) => !imagesListed(r)).length;
  const footnote = notListed
    ? `<p class="note">${countOf(notListed, 'repository was', 'repositories were')} not listed: protected and unmanaged repositories are never read, and a failed or unreached one could not be.</p>`
    : '';
  return `<section id="repositories"><h2>Repositories (${formatCount(result.repositories.length)})</h2>
<div class="table-wrap"><table class="data" id="repository-table"><thead>${repositoryHead(dryRun)}</thead>
<tbody>${rows}</tbody></table></div>${footnote}</section>`;
}

/**
 * A multi-target run's repositories, a section per target (in the result's target order): its
 * status, its figures ({@link targetFigures}: the run's definition over its repositories) and its
 * repositories; a failed target shows its error, never an empty clean table.
 */
function renderTargets(result: SweepResult, summaries: readonly RepositorySummary[]): string {
  const dryRun = isDryRun(result);
  const L = FIGURE_LABELS;
  const indexes = new Map<string, number[]>();
  result.repositories.forEach((r, i) => {
    if (!r.target) return;
    const key = targetKey(r.target);
    let list = indexes.get(key);
    if (!list) indexes.set(key, (list = []));
    list.push(i);
  });
  const perTarget = targetFigures(result);
  const sections = perTarget.map(({ target, figures: f }) => {
    const name = describeTargetEntry(target);
    const shown: Array<[keyof RunFigures, string]> = dryRun
      ? [['repositories', formatCount(f.repositories)], ['images', formatCount(f.images)], ['wouldDelete', formatCount(f.wouldDelete)], ['failedRepositories', formatCount(f.failedRepositories)], ['bytesWouldFree', formatBytes(f.bytesWouldFree)]]
      : [['repositories', formatCount(f.repositories)], ['images', formatCount(f.images)], ['deleted', formatCount(f.deleted)], ['failedDeletions', formatCount(f.failedDeletions)], ['failedRepositories', formatCount(f.failedRepositories)], ['skipped', formatCount(f.skipped)], ['bytesFreed', formatBytes(f.bytesFreed)]];
    const figures = shown.map(([key, value]) => `<span class="target-figure" data-target-figure="${key}">${L[key as keyof typeof L]}: <strong>${escapeHtml(value)}</strong></span>`).join(' · ');
    const why = target.status === 'failed'
      ? `<div class="banner banner-error" role="status"><strong>Failed: nothing was listed or deleted in this target.</strong> ${escapeHtml(target.error ? `${target.error.code}: ${target.error.message}` : (target.statusReason ?? 'unknown error'))}</div>`
      : target.statusReason !== undefined ? `<p class="note">${escapeHtml(target.statusReason)}</p>` : '';
    const rows = (indexes.get(target.key) ?? []).map((i) => repositoryRow(result.repositories[i]!, summaries[i], dryRun)).join('\n');
    const table = rows ? `<div class="table-wrap"><table class="data"><thead>${repositoryHead(dryRun)}</thead>\n<tbody>${rows}</tbody></table></div>` : '';
    return `<section class="target" data-target="${escapeHtml(target.key)}" data-target-status="${escapeHtml(target.status)}"><h3>${escapeHtml(name)} <span class="status status-${escapeHtml(target.status)}">${escapeHtml(target.status)}</span></h3>
<p class="target-figures">${figures}</p>${why}${table}</section>`;
  });
  const failed = perTarget.filter((t) => t.target.status === 'failed').length;
  return `<section id="repositories"><h2>Targets (${formatCount(perTarget.length)}${failed > 0 ? `, ${formatCount(failed)} failed` : ''}) and their repositories (${formatCount(result.repositories.length)})</h2>
${sections.join('\n')}</section>`;
}

/** How a result target is named: `account 123456789012, eu-west-1`, or the whole account when it failed as one. */
function describeTargetEntry(target: ResultTarget): string {
  return target.region !== undefined ? describeTarget({ accountId: target.accountId, region: target.region }) : `account ${target.accountId} (every Region)`;
}

function repositoryHead(dryRun: boolean): string {
  const L = FIGURE_LABELS;
  const outcomeHeads = dryRun
    ? `<th class="num">${L.wouldDelete}</th>`
    : `<th class="num">${L.deleted}</th><th class="num">${L.failedDeletions}</th><th class="num">${L.skipped}</th>`;
  return `<tr><th>Repository</th><th>Policy</th><th>Status</th><th class="num">${L.images}</th><th class="num">${L.planned}</th>${outcomeHeads}<th class="num">${dryRun ? L.bytesWouldFree : L.bytesFreed}</th><th>Note</th></tr>`;
}

/** One repository's row of the repository table(s). */
function repositoryRow(r: RepositoryResult, s: RepositorySummary | undefined, dryRun: boolean): string {
  const c = r.counts;
  const own = policyValues(r.settings);
  const settingsNote = own.length ? `policy ${r.policy ?? ''} sets ${own.join('; ')}` : '';
  const note = [r.error ? `${r.error.code}: ${r.error.message}` : (r.statusReason ?? ''), settingsNote].filter(Boolean).join(' · ');
  const images = imagesListed(r) ? formatCount(c.images) : `<span class="not-listed">${NOT_LISTED}</span>`;
  const outcomeCells = dryRun
    ? `<td class="num">${formatCount(c.wouldDelete)}</td>`
    : `<td class="num">${formatCount(c.deleted)}</td><td class="num">${formatCount(c.failed)}</td><td class="num">${formatCount(c.skipped)}</td>`;
  return `<tr data-repository="${escapeHtml(r.repositoryName)}" data-status="${escapeHtml(r.status)}"><td>${escapeHtml(r.repositoryName)}</td><td>${escapeHtml(r.policy ?? '-')}</td><td><span class="status status-${escapeHtml(r.status)}">${escapeHtml(r.status)}</span></td><td class="num">${images}</td><td class="num">${formatCount(c.planned)}</td>${outcomeCells}<td class="num">${escapeHtml(formatBytes(s?.bytes ?? 0))}</td><td>${escapeHtml(note)}</td></tr>`;
}

function renderFailures(result: SweepResult, figures: RunFigures, maxRows: number): string {
  const failures = collectFailures(result);
  // A target that could not be swept at all comes first: nothing of it is in the rows below.
  const targets = renderFailedTargets(result);
  if (failures.length === 0 && targets === '') {
    return `<section id="failures"><h2>Failures</h2><p class="note ok">No failures.</p></section>`;
  }
  const shown = failures.slice(0, Math.max(0, maxRows));
  const rows = shown
    .map(
      (f) =>
        `<tr><td>${escapeHtml(f.repositoryName)}</td><td class="mono" title="${escapeHtml(f.imageDigest ?? '')}">${escapeHtml(f.imageDigest ? shortDigest(f.imageDigest) : '(repository)')}</td><td>${escapeHtml(f.imageTags.join(' '))}</td><td><code>${escapeHtml(f.code)}</code></td><td>${escapeHtml(f.message)}</td></tr>`,
    )
    .join('\n');
  const more =
    failures.length > shown.length
      ? `<p class="note">${formatCount(failures.length - shown.length)} more failures are not shown; <code>result.csv</code> lists every one.</p>`
      : '';
  const table =
    failures.length > 0
      ? `<div class="table-wrap"><table class="data" id="failure-table"><thead><tr><th>Repository</th><th>Digest</th><th>Tags</th><th>Code</th><th>Message</th></tr></thead>
<tbody>${rows}</tbody></table></div>${more}`
      : '';
  return `<section id="failures"><h2>Failures: ${escapeHtml(failureSummary(figures))}</h2>
${targets}${table}</section>`;
}

/** The targets of a multi-target run that could not be swept, with their errors; empty when none. */
function renderFailedTargets(result: SweepResult): string {
  const failed = (result.targets ?? []).filter((t) => t.status === 'failed');
  if (failed.length === 0) return '';
  const rows = failed
    .map((t) => `<tr data-target="${escapeHtml(t.key)}"><td>${escapeHtml(describeTargetEntry(t))}</td><td><code>${escapeHtml(t.error?.code ?? 'TargetFailed')}</code></td><td>${escapeHtml(t.error?.message ?? t.statusReason ?? '')}</td></tr>`)
    .join('\n');
  return `<div class="table-wrap"><table class="data" id="failed-target-table"><thead><tr><th>Target</th><th>Code</th><th>Message</th></tr></thead>
<tbody>${rows}</tbody></table></div>`;
}

function renderRunDetails(result: SweepResult): string {
  const calls = Object.entries(result.apiCalls)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([op, n]) => `${escapeHtml(op)} ${formatCount(n)}`)
    .join(', ');
  const items: Array<[string, string]> = [
    ['Run id', result.runId],
    ['Mode', result.mode],
    ['Rules', result.rulesSource],
    ['Evaluated at', result.now],
    ['Started', result.startedAt],
    ['Finished', result.finishedAt],
    ['Duration', formatDuration(result.durationMs)],
    ['Retries / throttles', `${formatCount(result.retries)} / ${formatCount(result.throttles)}`],
  ];
  return `<section id="run"><h2>Run</h2><dl>${items
    .map(([k, v]) => `<dt>${k}</dt><dd>${escapeHtml(v)}</dd>`)
    .join('')}<dt>API calls</dt><dd>${calls || '-'}</dd></dl></section>`;
}

/** The note above a cut per-image table: how many rows the page has, and where every row is. */
function renderRowsCut(data: { rows: readonly unknown[]; total: number }): string {
  if (data.rows.length === data.total) return '';
  return `<p id="rows-cut" class="note">This page lists ${formatCount(data.rows.length)} of the run's ${formatCount(data.total)} images (deletions, archives and failures first, then kept images); <a href="result.csv">result.csv</a>, next to this report, has every row. The figures above count every image.</p>\n`;
}

/** Whether an image is a row a cut table keeps first: something was or would be done to it, or failed. */
function actedOn(image: ResultImage): boolean {
  return image.decision !== 'keep' || image.outcome.status === 'failed';
}

/**
 * Compact rows for the inline script; display strings are computed here so the script stays tiny.
 * At most `maxRows`: when the run has more images, the acted-on ones first, then kept ones, each in
 * result order (so the table reads in repository order either way).
 */
function imageData(result: SweepResult, pageSize: number, maxRows: number) {
  const limit = Math.max(0, Math.floor(maxRows));
  let total = 0;
  let acted = 0;
  for (const repository of result.repositories) {
    total += repository.images.length;
    for (const image of repository.images) if (actedOn(image)) acted += 1;
  }
  // Kept images fill what the acted-on ones leave of the limit.
  let keptRoom = total <= limit ? total : Math.max(0, limit - acted);
  let actedRoom = total <= limit ? total : Math.min(acted, limit);
  const rows: Array<[number, string, string, string, string, string, string, string, string, string, string, string]> = [];
  result.repositories.forEach((repository: RepositoryResult, index) => {
    for (const image of repository.images) {
      if (actedOn(image)) {
        if (actedRoom === 0) continue;
        actedRoom -= 1;
      } else {
        if (keptRoom === 0) continue;
        keptRoom -= 1;
      }
      const code = image.outcome.status === 'failed' ? image.outcome.code : '';
      rows.push([
        index,
        image.imageDigest,
        image.imageTags.join(' '),
        shortTime(image.pushedAt),
        shortTime(image.lastPulledAt),
        image.sizeInBytes === null ? '-' : formatBytes(image.sizeInBytes),
        image.decision,
        image.rule ?? '',
        image.reason,
        outcomeLabel(image),
        code,
        [image.role === 'image' ? '' : image.role, outcomeDetail(image)].filter(Boolean).join(': '),
      ]);
    }
  });
  return { pageSize: Math.max(1, Math.floor(pageSize)), repositories: result.repositories.map(repositoryLabel), rows, total };
}

function shortTime(iso: string | null): string {
  const text = formatTime(iso);
  return text === '-' ? text : text.slice(0, 10);
}

function sha256(text: string): string {
  return `sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}`;
}

const STYLE = `
:root{--fg:#1d232b;--muted:#5b6673;--line:#dde2e8;--bg:#f6f8fa;--bytes:#2f6fd6;--images:#e8891c;--bad:#c62828;--warn:#a86400;--ok:#2e7d32}
*{box-sizing:border-box}
body{margin:0 auto;max-width:1280px;padding:24px;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:var(--fg);background:#fff}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 10px}
.meta,.note{color:var(--muted)}.note.ok{color:var(--ok)}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px}
.banner{margin:14px 0;padding:14px 18px;border-radius:8px;border:1px solid}
.banner-dry-run{background:#fff6d6;border-color:#e0b400;font-size:18px}
.banner-dry-run strong{font-size:22px;letter-spacing:.02em}
.banner-warn{background:#fff3e0;border-color:#f0a040}
.banner-error{background:#fdecea;border-color:#e57373}
.totals{display:grid;grid-template-columns:repeat(auto-fit,minmax(140px,1fr));gap:10px;margin-top:16px}
.card{border:1px solid var(--line);border-radius:8px;padding:10px 14px;background:var(--bg)}
.card .label{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em}
.card .value{font-size:24px;font-weight:600}
.card .note{font-size:12px}
.card-bad .value{color:var(--bad)}.card-deleted .value,.card-bytes .value{color:var(--bytes)}
.mode-dry-run .card-mode .value{color:var(--warn)}
.chart{list-style:none;margin:0;padding:0}
.chart-row{display:grid;grid-template-columns:minmax(0,260px) minmax(0,1fr);gap:2px 14px;align-items:center;padding:3px 0}
.chart-label{display:flex;flex-direction:column;align-items:flex-end;min-width:0;text-align:right;line-height:1.25}
.chart-name{min-width:0;max-width:100%;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.chart-value{color:var(--muted);font-size:12px}
.chart-off-scale{color:var(--warn);font-size:12px}
.chart-track{min-width:0}
.chart-bars{display:block;width:100%;height:30px}
.bar-bytes,.key-bytes{fill:var(--bytes);background:var(--bytes)}.bar-images,.key-images{fill:var(--images);background:var(--images)}
.bar-notch{fill:#fff}
.chart-legend{margin:0 0 6px;color:var(--muted);font-size:12px}
.key{display:inline-block;width:12px;height:12px;margin:0 5px -1px 0;border-radius:2px}.key-images{margin-left:14px}
.chart-row:not(.chart-others){cursor:pointer}
.chart-row:not(.chart-others):hover .chart-name{text-decoration:underline}
.chart-others .chart-name{font-style:italic}
.chart-narrow-only{display:none}
@media (max-width:640px){.chart-wide-only{display:none}span.chart-narrow-only{display:inline}body{padding:14px}.chart-row{grid-template-columns:minmax(0,1fr);padding:4px 0}.chart-label{flex-direction:row;justify-content:space-between;align-items:baseline;gap:10px;text-align:left}.chart-value{white-space:nowrap}.chart-row.chart-narrow-only{display:grid}}
.warnings{margin:0;padding-left:20px}.warnings li{margin:3px 0}
.not-listed{color:var(--muted);font-style:italic}
table.data{border-collapse:collapse;width:100%}
table.data th,table.data td{border-bottom:1px solid var(--line);padding:5px 8px;text-align:left;vertical-align:top}
table.data td{overflow-wrap:anywhere}
table.data td:first-child{min-width:9em}
#repository-table td:nth-child(2),#failure-table td:nth-child(3),#image-table td:nth-child(3){min-width:7em}
#image-table td:nth-child(8),#image-table td:nth-child(10){min-width:9em}
table.data th{position:sticky;top:0;background:var(--bg);font-size:12px;text-transform:uppercase;letter-spacing:.03em;color:var(--muted)}
table.data td.num,table.data th.num{text-align:right;white-space:nowrap}
table.data tbody tr:hover{background:#f0f4fa}
#image-table{font-size:13px}
#failure-table td:nth-child(2),#failure-table td:nth-child(4),#image-table td:nth-child(2),#image-table td:nth-child(4),#image-table td:nth-child(5){white-space:nowrap}
#image-table td:nth-child(9){min-width:240px}
.outcome-code{display:block;font-size:11.5px;color:var(--muted);margin-top:2px}
@media (max-width:1260px){.table-wrap{overflow-x:auto}}
.decision,.outcome,.status{display:inline-block;padding:0 6px;border-radius:10px;font-size:12px;border:1px solid var(--line);white-space:nowrap}
.decision-delete,.outcome-deleted,.outcome-already-gone{background:#e3edfc;border-color:#9dbcf0}
.outcome-failed,.status-failed{background:#fdecea;border-color:#e57373;color:var(--bad)}
.outcome-would-delete{background:#fff6d6;border-color:#e0b400}
.outcome-skipped,.status-blocked,.status-not-started{background:#fff3e0;border-color:#f0a040}
.status-protected{background:#e8f5e9;border-color:#81c784}
.filters{display:flex;flex-wrap:wrap;gap:12px;align-items:end;margin-bottom:8px}
.filters label{display:flex;flex-direction:column;font-size:12px;color:var(--muted);gap:2px;max-width:100%}
.filters select,.filters input{font:inherit;padding:4px 6px;min-width:170px;max-width:100%}
.count{margin:6px 0}
button{font:inherit;padding:6px 14px}
dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px}dt{color:var(--muted)}dd{margin:0}
`;

const SCRIPT = `(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('image-data').textContent);
  var body = document.getElementById('image-rows');
  var repo = document.getElementById('filter-repository');
  var decision = document.getElementById('filter-decision');
  var outcome = document.getElementById('filter-outcome');
  var text = document.getElementById('filter-text');
  var count = document.getElementById('image-count');
  var more = document.getElementById('show-more');
  var matches = [];
  var shown = 0;
  function fmt(n) { return String(n).replace(/\\B(?=(\\d{3})+(?!\\d))/g, ','); }
  function span(td, value, cls) {
    var s = document.createElement('span');
    s.className = cls;
    s.textContent = value;
    td.appendChild(s);
  }
  function cell(tr, value, cls, title) {
    var td = document.createElement('td');
    if (cls && cls.indexOf('badge ') === 0) {
      span(td, value, cls.slice(6));
    } else {
      td.textContent = value;
      if (cls) td.className = cls;
    }
    if (title) td.title = title;
    tr.appendChild(td);
    return td;
  }
  function renderMore() {
    var end = Math.min(matches.length, shown + data.pageSize);
    var fragment = document.createDocumentFragment();
    for (var i = shown; i < end; i++) {
      var r = data.rows[matches[i]];
      var tr = document.createElement('tr');
      tr.setAttribute('data-repository', data.repositories[r[0]]);
      tr.setAttribute('data-decision', r[6]);
      tr.setAttribute('data-outcome', r[9]);
      cell(tr, data.repositories[r[0]]);
      cell(tr, r[1].length > 19 ? r[1].slice(0, 19) + '\\u2026' : r[1], 'mono', r[1]);
      cell(tr, r[2]);
      cell(tr, r[3]);
      cell(tr, r[4]);
      cell(tr, r[5], 'num');
      cell(tr, r[6], 'badge decision decision-' + r[6]);
      cell(tr, r[7]);
      cell(tr, r[8]);
      // The failure code goes under the badge, where it can wrap, so the column stays narrow.
      var outcomeCell = cell(tr, r[9], 'badge outcome outcome-' + r[9], r[11]);
      if (r[10]) span(outcomeCell, r[10], 'mono outcome-code');
      fragment.appendChild(tr);
    }
    body.appendChild(fragment);
    shown = end;
    count.textContent = 'Showing ' + fmt(shown) + ' of ' + fmt(matches.length) + ' matching images (' + fmt(data.rows.length) + ' in all)';
    more.hidden = shown >= matches.length;
  }
  function apply() {
    var rv = repo.value, dv = decision.value, ov = outcome.value, q = text.value.trim().toLowerCase();
    matches = [];
    for (var i = 0; i < data.rows.length; i++) {
      var r = data.rows[i];
      if (rv !== '' && String(r[0]) !== rv) continue;
      if (dv !== '' && r[6] !== dv) continue;
      if (ov !== '' && r[9] !== ov) continue;
      if (q && (r[1] + ' ' + r[2] + ' ' + r[7] + ' ' + r[8] + ' ' + r[11]).toLowerCase().indexOf(q) < 0) continue;
      matches.push(i);
    }
    body.textContent = '';
    shown = 0;
    renderMore();
  }
  repo.addEventListener('change', apply);
  decision.addEventListener('change', apply);
  outcome.addEventListener('change', apply);
  text.addEventListener('input', apply);
  more.addEventListener('click', renderMore);
  var rows = document.querySelectorAll('#chart-rows .chart-row:not(.chart-others)');
  for (var k = 0; k < rows.length; k++) {
    rows[k].addEventListener('click', function () {
      var name = this.getAttribute('data-repository');
      var index = data.repositories.indexOf(name);
      if (index >= 0) {
        repo.value = String(index);
        apply();
        document.getElementById('images').scrollIntoView();
      }
    });
  }
  apply();
})();`;
