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
    (r) => `| ${cell(r.step)} | ${cell(r.field)} | ${cell(r.emulator)} | ${cell(r.moto)} | ${cell(r.verdict.text, 200)} |`,
  );
  const legend = new Map<string, string>();
  for (const r of rows) if (r.verdict.deviationId !== undefined && r.verdict.why !== undefined) legend.set(r.verdict.deviationId, r.verdict.why);
  const notes = [...legend].map(([id, why]) => `- \`${id}\`: ${why}`);
  return `${header}\n${lines.join('\n')}${notes.length > 0 ? `\n\nReference notes:\n${notes.join('\n')}` : ''}`;
}

/**
 * One line per deviation id (how many differences, on which steps): the short form for docs and for
 * the top of the console output.
 */
export function renderDeviationSummary(rows: readonly JudgedDifference[]): string {
  const byId = new Map<string, { kind: string; count: number; steps: Set<string> }>();
  for (const r of rows) {
    const id = r.verdict.deviationId ?? '(none)';
    const key = `${r.verdict.kind} ${id}`;
    const entry = byId.get(key) ?? { kind: r.verdict.kind, count: 0, steps: new Set<string>() };
    entry.count += 1;
    entry.steps.add(r.step);
    byId.set(key, entry);
  }
  const header = '| verdict | deviation | differences | steps |\n|---|---|---|---|';
  const lines = [...byId].map(([key, e]) => {
    const id = key.slice(e.kind.length + 1);
    return `| ${e.kind} | ${cell(id)} | ${e.count} | ${cell([...e.steps].join('; '), 400)} |`;
  });
  return `${header}\n${lines.join('\n')}`;
}

function cell(text: string, max = MAX_CELL): string {
  const flat = text.replace(/\s+/g, ' ').replace(/\|/g, '\\|');
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
