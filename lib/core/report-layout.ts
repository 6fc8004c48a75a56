/**
 * Where a run's report files live, shared by the S3 and the local stores so both produce the
 * same tree: `<prefix>/<yyyy-mm-dd>/<run-id>/{plan.json,result.json,result.csv,report.html}`.
 */

/** File names inside a run's folder, with the Content-Type each is served with. */
export const REPORT_FILES = {
  plan: { name: 'plan.json', contentType: 'application/json; charset=utf-8' },
  resultJson: { name: 'result.json', contentType: 'application/json; charset=utf-8' },
  resultCsv: { name: 'result.csv', contentType: 'text/csv; charset=utf-8' },
  reportHtml: { name: 'report.html', contentType: 'text/html; charset=utf-8' },
} as const;

export type ReportFileKind = keyof typeof REPORT_FILES;

/** A run id becomes a path segment, so it is limited to characters that cannot climb out of the folder. */
const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Why a run id or date cannot name a report folder, or null when it can. */
export function reportFolderProblem(runId: string, date: string | Date): string | null {
  if (!RUN_ID.test(runId) || runId.includes('..')) {
    return `run id ${JSON.stringify(runId)} must be 1-128 letters, digits, '.', '_' or '-', start with a letter or digit and not contain '..'`;
  }
  const ms = typeof date === 'string' ? Date.parse(date) : date.getTime();
  if (Number.isNaN(ms)) return `date ${JSON.stringify(String(date))} is not a valid time`;
  return null;
}

/**
 * The run's folder relative to the store's root: `<yyyy-mm-dd>/<run-id>`, the date taken in UTC.
 * Throws a plain Error on an invalid run id or date (callers wrap it in their own error class).
 */
export function reportFolder(runId: string, date: string | Date): string {
  const problem = reportFolderProblem(runId, date);
  if (problem) throw new Error(problem);
  const ms = typeof date === 'string' ? Date.parse(date) : date.getTime();
  return `${new Date(ms).toISOString().slice(0, 10)}/${runId}`;
}

/** Joins a key prefix and a relative key with exactly one `/`; an empty prefix adds nothing. */
export function joinKey(prefix: string, key: string): string {
  const cleanPrefix = prefix.replace(/^\/+|\/+$/g, '');
  return cleanPrefix ? `${cleanPrefix}/${key}` : key;
}

/**
 * The history files, relative to the store's root (beside the dated run folders): the last
 * `HISTORY_LIMIT` (90) run summaries as JSON Lines, and the last run's decisions for the diff.
 */
export const HISTORY_FILES = {
  runs: { name: 'history/runs.jsonl', contentType: 'application/x-ndjson; charset=utf-8' },
  decisions: { name: 'history/decisions.json', contentType: 'application/json; charset=utf-8' },
} as const;
