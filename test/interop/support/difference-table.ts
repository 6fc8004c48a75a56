import type { Difference } from './compare.js';
import type { Verdict } from './verdicts.js';

/** A difference with its verdict, one row of the printed table. */
export interface JudgedDifference extends Difference {
  readonly verdict: Verdict;
}

const MAX_CELL = 90;

/**
 * Renders judged differences as a Markdown table (step | field | emulator | moto | reference verdict),
 * readable in a terminal and pasteable into docs/interop.md unchanged.
 */
export function renderDifferenceTable(rows: readonly JudgedDifference[]): string {
  const header = '| step | field | emulator | moto | reference verdict |\n|---|---|---|---|---|';
  if (rows.length === 0) return `${header}\n| (none) | | | | the two implementations agree on every field |`;
  const lines = rows.map(
    (r) => `| ${cell(r.step)} | ${cell(r.field)} | ${cell(r.emulator)} | ${cell(r.moto)} | ${cell(r.verdict.text)} |`,
  );
  return `${header}\n${lines.join('\n')}`;
}

function cell(text: string): string {
  const flat = text.replace(/\s+/g, ' ').replace(/\|/g, '\\|');
  return flat.length > MAX_CELL ? `${flat.slice(0, MAX_CELL - 1)}…` : flat;
}
