/**
 * What each report file of a run contains, so the S3 and the local store write the same bytes
 * and a new report file is added in one place. Where the files go is `report-layout.ts`.
 */
import type { Plan } from './plan-model.js';
import { renderResultCsv } from './report-csv.js';
import { renderReportHtml, type ReportHtmlOptions } from './report-html.js';
import type { ReportInsights } from './report-insights.js';
import type { ReportFileKind } from './report-layout.js';
import type { SweepResult } from './result-model.js';

/** The kinds of file a result is written as (everything but the plan). */
export type ResultFileKind = Exclude<ReportFileKind, 'plan'>;

/** One result file, rendered only when `render` is called. */
export interface ResultFile {
  kind: ResultFileKind;
  render: () => string;
}

/** The body of `plan.json`: the plan as indented JSON. */
export function planFileBody(plan: Plan): string {
  return `${JSON.stringify(plan, null, 2)}\n`;
}

/**
 * The result files in the order they are written: `result.json`, `result.csv`, `report.html`.
 * Each renders on demand, so a store that writes one file at a time holds one large string at a
 * time (a 200,000-image report is tens of megabytes per file).
 */
export function resultFiles(result: SweepResult, html: ReportHtmlOptions = {}, insights?: ReportInsights): ResultFile[] {
  return [
    { kind: 'resultJson', render: () => `${JSON.stringify(result, null, 2)}\n` },
    { kind: 'resultCsv', render: () => renderResultCsv(result) },
    { kind: 'reportHtml', render: () => renderReportHtml(result, insights ? { ...html, insights } : html) },
  ];
}
