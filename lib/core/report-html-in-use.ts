/**
 * The "In use" parts of the HTML report: the alarm banner of a source that could not be read,
 * and the section with each source (scanned, off or failed, with its error), the usages found,
 * how they resolved, the images kept in use and, per repository, the in-use images with their
 * consumers. Figures and words come from report-in-use.ts, as in the CLI and Slack.
 */
import type { SweepResult } from './result-model.js';
import {
  IN_USE_COUNT_KEYS,
  IN_USE_LABELS,
  consumerList,
  countImagesInUse,
  imagesInUse,
  inUseFailureHeadline,
  inUseFailureLine,
  inUseFigures,
} from './report-in-use.js';
import { countOf, formatCount, formatTime, shortDigest } from './report-summary.js';

type Escape = (value: string) => string;

/** In-use images listed in the page by default; the rest are counted and left to result.csv. */
export const MAX_IN_USE_ROWS = 200;
/** Consumers named per image before "and N more". */
export const MAX_CONSUMERS_SHOWN = 3;

/** The red banner of a failed source: first on the page, because the run failed closed. */
export function renderInUseBanner(result: SweepResult, esc: Escape): string {
  const failed = inUseFigures(result.inUse)?.failed ?? [];
  if (failed.length === 0) return '';
  const lines = failed.map((s) => `<li>${esc(inUseFailureLine(s))}</li>`).join('');
  return `<div class="banner banner-error" role="alert" id="in-use-failed"><strong>In-use scan failed: ${esc(inUseFailureHeadline(failed.length))}.</strong><ul>${lines}</ul>See <a href="#in-use">In use</a>.</div>`;
}

/** The "In use" section (`kept`: the shared "Kept in use" figure); nothing when the run had no in-use sources. */
export function renderInUse(result: SweepResult, kept: number, esc: Escape, maxRows = MAX_IN_USE_ROWS): string {
  const report = result.inUse;
  const f = inUseFigures(report);
  if (report === undefined || f === null) return '';
  const sources = report.sources
    .map((s) => {
      const calls = Object.entries(s.calls)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([op, n]) => `${esc(op)} ${formatCount(n)}`)
        .join(', ');
      const note = s.error
        ? `<code>${esc(s.error.code)}</code>: ${esc(s.error.message)}`
        : s.status === 'off'
          ? 'turned off by the rules'
          : (s.notes ?? []).map(esc).join('; ');
      const usages = s.status === 'scanned' ? formatCount(s.usages) : '-';
      return `<tr data-source="${esc(s.source)}" data-status="${esc(s.status)}"${s.status === 'failed' ? ' class="in-use-failed"' : ''}><td>${esc(s.label)}</td><td><span class="status status-${esc(s.status)}">${esc(s.status)}</span></td><td class="num" data-label="Usages">${usages}</td><td data-label="API calls">${calls || '-'}</td><td>${note}</td></tr>`;
    })
    .join('\n');
  const counts: Array<[string, string, number]> = [
    ['usages', IN_USE_LABELS.usages, f.usages],
    ...IN_USE_COUNT_KEYS.map((k): [string, string, number] => [k, IN_USE_LABELS[k], f.counts[k]]),
    ['inUseKept', IN_USE_LABELS.inUseKept, kept],
  ];
  const countList = counts.map(([key, label, n]) => `<div data-in-use="${key}"><dt>${label}</dt><dd>${formatCount(n)}</dd></div>`).join('');

  const rows: string[] = [];
  const total = countImagesInUse(result.repositories);
  for (const repository of result.repositories) {
    if (rows.length >= maxRows) break;
    for (const image of imagesInUse(repository)) {
      if (rows.length >= maxRows) break;
      rows.push(
        `<tr data-in-use-repository="${esc(repository.repositoryName)}"><td>${esc(repository.repositoryName)}</td><td class="mono" title="${esc(image.imageDigest)}">${esc(shortDigest(image.imageDigest))}</td><td data-label="Tags">${esc(image.imageTags.join(' '))}</td><td data-label="Used by">${esc(consumerList(image, MAX_CONSUMERS_SHOWN))}</td></tr>`,
      );
    }
  }
  const more =
    total > rows.length
      ? `<p class="note" id="in-use-more">and ${formatCount(total - rows.length)} more in-use images; <code>result.csv</code> lists the consumers of every image (<code>used_by</code>).</p>`
      : '';
  const images =
    total === 0
      ? `<p class="note">No image of this registry is named by a consumer.</p>`
      : `<div class="table-wrap"><table class="data" id="in-use-images"><thead><tr><th>Repository</th><th>Digest</th><th>Tags</th><th>Used by</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table></div>${more}`;
  const rescans = report.rescans > 0 ? ` · scanned again ${countOf(report.rescans, 'time')} before deleting` : '';
  return `<section id="in-use"><h2>${IN_USE_LABELS.heading}</h2>
<p class="note">Scanned at ${esc(formatTime(report.scannedAt))}${rescans}. An image a consumer runs or can roll back to is kept whatever the rules, with its indexes, children and referrers.</p>
<div class="table-wrap"><table class="data" id="in-use-sources"><thead><tr><th>Source</th><th>Status</th><th class="num">Usages</th><th>API calls</th><th>Note</th></tr></thead>
<tbody>${sources}</tbody></table></div>
<dl class="in-use-counts">${countList}</dl>
<h3>Images in use (${formatCount(total)})</h3>
${images}</section>`;
}

export const IN_USE_STYLE = `
.banner ul{margin:6px 0;padding-left:20px}
h3{font-size:15px;margin:18px 0 8px}
.status-scanned{background:#e8f5e9;border-color:#81c784}.status-off{color:var(--muted);font-style:italic}
tr.in-use-failed td{background:#fdecea}
.in-use-counts{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,150px),1fr));gap:8px;margin:12px 0}
.in-use-counts div{border:1px solid var(--line);border-radius:8px;padding:6px 10px;background:var(--bg)}
.in-use-counts dt{font-size:12px;text-transform:uppercase;letter-spacing:.04em}
.in-use-counts dd{font-size:18px;font-weight:600}
#in-use-sources td:nth-child(4){min-width:10em}
@media (max-width:640px){#in-use-sources thead,#in-use-images thead{display:none}#in-use-sources tr,#in-use-images tr{display:block;border-bottom:1px solid var(--line);padding:6px 0}#in-use-sources td,#in-use-images td{display:block;border:0;padding:1px 8px;min-width:0;text-align:left}#in-use-sources td[data-label]::before,#in-use-images td[data-label]::before{content:attr(data-label) ": ";color:var(--muted);font-size:12px}#in-use-images td[data-label="Tags"]:empty{display:none}}
`;
