/**
 * The per-image CSV of a sweep: one row per image of every repository, RFC 4180 quoting,
 * CRLF line ends, and cells that a spreadsheet would run as a formula neutralised.
 */
import type { SweepResult } from './result-model.js';
import { outcomeDetail, outcomeLabel } from './report-summary.js';
import { consumerList } from './report-in-use.js';

/** Column names, in order. The first eleven are the audit columns the issue asks for. */
export const CSV_COLUMNS: readonly string[] = [
  'repository',
  'digest',
  'tags',
  'pushed',
  'last_pulled',
  'size_bytes',
  'decision',
  'rule',
  'reason',
  'outcome',
  'failure_code',
  'outcome_detail',
  'role',
  'used_by',
];

/**
 * Characters that make Excel, LibreOffice or Google Sheets treat a cell as a formula
 * (OWASP "CSV injection"). Tags and reasons are user data, so such a cell is prefixed with `'`.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One CSV cell: formula-neutralised, then quoted when it holds a comma, quote, CR or LF,
 * or leading/trailing spaces (which some readers trim otherwise).
 */
export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * The result as CSV text: a header row, then one row per image in result order. Tags are
 * joined with a space (a tag cannot contain one). Times are ISO-8601 as in the result.
 *
 * @example
 * ```ts
 * await writeFile('result.csv', renderResultCsv(result));
 * ```
 */
export function renderResultCsv(result: Pick<SweepResult, 'repositories'>): string {
  return [...resultCsvLines(result)].join('');
}

/**
 * The same CSV text as {@link renderResultCsv}, one row (with its CRLF) at a time, for a writer
 * that streams a result of a million images instead of holding the whole text.
 */
export function* resultCsvLines(result: Pick<SweepResult, 'repositories'>): Generator<string> {
  yield `${CSV_COLUMNS.join(',')}\r\n`;
  for (const repository of result.repositories) {
    for (const image of repository.images) {
      const row = [
        csvCell(repository.repositoryName),
        csvCell(image.imageDigest),
        csvCell(image.imageTags.join(' ')),
        csvCell(image.pushedAt),
        csvCell(image.lastPulledAt),
        csvCell(image.sizeInBytes),
        csvCell(image.decision),
        csvCell(image.rule),
        csvCell(image.reason),
        csvCell(outcomeLabel(image)),
        csvCell(image.outcome.status === 'failed' ? image.outcome.code : ''),
        csvCell(outcomeDetail(image)),
        csvCell(image.role),
        // Every consumer, "; "-separated: a consumer name can hold a comma.
        csvCell(consumerList(image)),
      ];
      yield `${row.join(',')}\r\n`;
    }
  }
}
