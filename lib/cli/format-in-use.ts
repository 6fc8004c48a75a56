/**
 * In-use protection at the terminal: the summary line under the plan and result tables, and the
 * error block of a source that could not be read. Pure; the words and figures are the reports'
 * (lib/core/report-in-use.ts), so the terminal says what the HTML and Slack say.
 */
import type { InUseReport } from '../core/plan-model.js';
import { inUseFailureHeadline, inUseFailureLine, inUseFigures, inUseSummary } from '../core/report-in-use.js';

/**
 * `in use: 12 images kept (ECS 8 usages, Lambda 4; Batch off)` and a newline, `kept` being the
 * shared "Kept in use" figure; empty when the run had no in-use sources.
 *
 * @example process.stdout.write(renderInUseSummary(result.inUse, runFigures(result).inUseKept));
 */
export function renderInUseSummary(report: InUseReport | undefined, kept: number): string {
  return report === undefined ? '' : `${inUseSummary(report, kept)}\n`;
}

/**
 * The error block for the sources that failed (for stderr), naming each source and why, and what
 * to do; empty when none failed.
 *
 * @example process.stderr.write(renderInUseFailures(result.inUse));
 */
export function renderInUseFailures(report: InUseReport | undefined): string {
  const failed = inUseFigures(report)?.failed ?? [];
  if (failed.length === 0) return '';
  const lines = [
    `ecr-sweeper: IN-USE SCAN FAILED: ${inUseFailureHeadline(failed.length)}.`,
    ...failed.map((s) => `  - ${flat(inUseFailureLine(s))}`),
    'Give the run the read access each source needs, or turn the source off explicitly in the rules (e.g. `inUse: { ecs: false }`). Exit code 3.',
  ];
  return `${lines.join('\n')}\n`;
}

// One line per source: an error message with a newline must not look like the next line of output.
function flat(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ');
}
