/**
 * The plan's warnings ("probably not what you meant") as the CLI prints them on stderr: one line
 * each, whatever their code, so a warning added anywhere in the engine reaches the terminal.
 */
import type { PlanWarning } from '../core/plan-model.js';

/**
 * One `warning (code): message` line per warning; empty when there are none.
 *
 * @example renderWarnings([{ code: 'repository-filter-matches-nothing', message: "--repository 'x' matches none of the 3 repositories" }])
 * // "warning (repository-filter-matches-nothing): --repository 'x' matches none of the 3 repositories\n"
 */
export function renderWarnings(warnings: readonly PlanWarning[]): string {
  return warnings
    .map((w) => {
      const about = w.repositoryName !== undefined && !w.message.includes(w.repositoryName) ? ` [${w.repositoryName}]` : '';
      return `warning (${w.code}): ${flat(w.message)}${about}\n`;
    })
    .join('');
}

// A message is one line on the terminal: a stray newline must not make the next line look like output.
function flat(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ');
}
