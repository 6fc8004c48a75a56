/**
 * What each report file of a run contains, so the S3 and the local store write the same bytes
 * and a new report file is added in one place. Where the files go is `report-layout.ts`.
 */
import { jsonChunks } from './json-chunks.js';
import type { Plan } from './plan-model.js';
import { resultCsvLines } from './report-csv.js';
import { renderReportHtml, type ReportHtmlOptions } from './report-html.js';
import type { ReportInsights } from './report-insights.js';
import type { ReportFileKind } from './report-layout.js';
import type { SweepResult } from './result-model.js';

/** The kinds of file a result is written as (everything but the plan). */
export type ResultFileKind = Exclude<ReportFileKind, 'plan'>;

/** One result file, produced only when asked for. */
export interface ResultFile {
  kind: ResultFileKind;
  /** The whole body as one string (small runs, and stores that need the length up front). */
  render: () => string;
  /**
   * The same body in pieces, for a store that streams: a result of a million images is written
   * without ever being one string (result.json would be over half a GiB).
   */
  chunks: () => Iterable<string>;
}

/** The body of `plan.json`: the plan as indented JSON. */
export function planFileBody(plan: Plan): string {
  return [...planFileChunks(plan)].join('');
}

/** The body of `plan.json` in pieces (one image at a time), the same text as {@link planFileBody}. */
export function* planFileChunks(plan: Plan): Generator<string> {
  yield* jsonChunks(plan);
  yield '\n';
}

/** `JSON.stringify(value)` and a newline, in pieces: a JSON Lines record or a compact JSON file. */
export function* jsonLinePieces(value: unknown): Generator<string> {
  yield* jsonChunks(value, 0);
  yield '\n';
}

/**
 * The result files in the order they are written: `result.json`, `result.csv`, `report.html`.
 * Each renders on demand, so a store that writes one file at a time holds one file's text at a
 * time, and a streaming store holds only a piece of it.
 */
export function resultFiles(result: SweepResult, html: ReportHtmlOptions = {}, insights?: ReportInsights): ResultFile[] {
  const json = function* (): Generator<string> {
    yield* jsonChunks(result);
    yield '\n';
  };
  const renderHtml = (): string => renderReportHtml(result, insights ? { ...html, insights } : html);
  return [
    { kind: 'resultJson', render: () => [...json()].join(''), chunks: json },
    { kind: 'resultCsv', render: () => [...resultCsvLines(result)].join(''), chunks: () => resultCsvLines(result) },
    { kind: 'reportHtml', render: renderHtml, chunks: () => [renderHtml()] },
  ];
}
