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

/** The columns a multi-target run's CSV starts with: where each image is. */
export const TARGET_CSV_COLUMNS: readonly string[] = ['account_id', 'region'];

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
export function renderResultCsv(result: Pick<SweepResult, 'repositories' | 'targets'>): string {
  return [...resultCsvLines(result)].join('');
}

/**
 * The same CSV text as {@link renderResultCsv}, one row (with its CRLF) at a time, for a writer
 * that streams a result of a million images instead of holding the whole text.
 */
export function* resultCsvLines(result: Pick<SweepResult, 'repositories' | 'targets'>): Generator<string> {
  // Only a multi-target run has the target columns: a single-target CSV keeps its columns exactly.
  const withTargets = result.targets !== undefined;
  yield `${(withTargets ? [...TARGET_CSV_COLUMNS, ...CSV_COLUMNS] : CSV_COLUMNS).join(',')}\r\n`;
  for (const repository of result.repositories) {
    const target = withTargets ? [csvCell(repository.target?.accountId), csvCell(repository.target?.region)] : [];
    for (const image of repository.images) {
      const row = [
        ...target,
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
