/**
 * The Slack summary of a sweep as Block Kit blocks plus a plain-text fallback. Pure: the
 * notifier only posts what this returns. Every user string is escaped for Slack's mrkdwn so a
 * tag or an error message can neither mention `@channel` nor forge a link.
 */
import type { SweepResult } from './result-model.js';
import {
  targetFigures,
  FIGURE_LABELS,
  collectFailures,
  countOf,
  failureSummary,
  formatBytes,
  formatCount,
  formatDuration,
  formatTime,
  isDryRun,
  runFigures,
  shortDigest,
  summarizeRepositories,
  topRepositories,
  type RunFigures,
} from './report-summary.js';
import type { ReportInsights } from './report-insights.js';
import { moneyLines } from './report-money.js';
import { RULE_LABELS, ruleName, ruleTotals } from './report-rules.js';
import { IN_USE_LABELS, failedSourceNames, inUseFailureHeadline, inUseFailureLine, inUseFigures, inUseSummaryBody } from './report-in-use.js';

/** The subset of Block Kit this message uses (kept local so the core depends on no Slack package). */
export type SlackText = { type: 'mrkdwn'; text: string } | { type: 'plain_text'; text: string; emoji?: boolean };
export type SlackBlock =
  | { type: 'header'; text: { type: 'plain_text'; text: string; emoji?: boolean } }
  | { type: 'section'; text?: SlackText; fields?: SlackText[] }
  | { type: 'context'; elements: SlackText[] }
  | { type: 'divider' }
  | {
      type: 'actions';
      elements: Array<{ type: 'button'; text: { type: 'plain_text'; text: string }; url: string; action_id: string; style?: 'primary' | 'danger' }>;
    };

export interface SlackMessage {
  /** Plain-text fallback, shown in notifications and by clients without Block Kit. */
  text: string;
  blocks: SlackBlock[];
}

export interface SlackMessageOptions {
  /** Link to the HTML report (a presigned URL); omitted or null when there is none. */
  reportUrl?: string | null;
  /** Where the report files are when no link fits (e.g. `s3://bucket/prefix/...`). */
  reportLocation?: string;
  /** Repositories listed by bytes. Default 5. */
  topRepositories?: number;
  /** Failures listed before "and N more". Default 5. */
  maxFailures?: number;
  /** Warnings listed before "and N more". Default 3. */
  maxWarnings?: number;
  /** Rules listed in the per-rule totals before "and N more". Default 5. */
  maxRules?: number;
  /** Money and the diff against the last run (from the report store); left out when absent. */
  insights?: ReportInsights;
  /** A multi-target run's targets listed before "and N more targets". Default 10. */
  maxTargets?: number;
}

/** Slack's documented limits for the blocks used here. */
export const SLACK_LIMITS = { headerText: 150, sectionText: 3000, fieldText: 2000, fields: 10, blocks: 50, buttonUrl: 3000 } as const;

/** Escapes the three characters Slack's mrkdwn treats as control characters. */
export function escapeMrkdwn(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Inline code for user data: escaped, and without backticks that would end the span. */
function code(value: string): string {
  return `\`${escapeMrkdwn(value.replace(/`/g, "'"))}\``;
}

/** Cuts text to `max` characters, marking the cut with an ellipsis. */
export function truncate(value: string, max: number): string {
  if (value.length <= max) return value;
  return `${value.slice(0, Math.max(0, max - 1))}…`;
}

/**
 * Builds the Slack message for a sweep result.
 *
 * @example
 * ```ts
 * const message = buildSlackMessage(result, { reportUrl });
 * await webhook.send(message);
 * ```
 */
export function buildSlackMessage(result: SweepResult, options: SlackMessageOptions = {}): SlackMessage {
  const dryRun = isDryRun(result);
  const figures = runFigures(result);
  const failed = failureSummary(figures);
  const failures = collectFailures(result);
  const blocks: SlackBlock[] = [];

  const inUse = inUseFigures(result.inUse);
  const inUseFailed = inUse?.failed ?? [];
  const failedTargets = figures.failedTargets > 0 ? `, ${countOf(figures.failedTargets, 'failed target')}` : '';
  const outcome = dryRun ? `DRY RUN, nothing was deleted${failedTargets}` : `${countOf(figures.deleted, 'image')} deleted${failed ? `, ${failed}` : ''}`;
  // A source that could not be read leads: the run failed closed and could not see what runs.
  const headline = inUseFailed.length > 0 ? `ECR sweep: IN-USE SCAN FAILED (${failedSourceNames(result.inUse)}); ${outcome}` : `ECR sweep: ${outcome}`;
  blocks.push({ type: 'header', text: { type: 'plain_text', text: truncate(headline, SLACK_LIMITS.headerText), emoji: true } });
  if (inUseFailed.length > 0) {
    const heading = `:rotating_light: *In-use scan failed: ${escapeMrkdwn(inUseFailureHeadline(inUseFailed.length))}.*`;
    const lines = linesWithin(
      inUseFailed.map((s) => `• ${escapeMrkdwn(truncate(inUseFailureLine(s), 400))}`),
      SLACK_LIMITS.sectionText - heading.length - 80,
    );
    const rest = inUseFailed.length - lines.length;
    if (rest > 0) lines.push(`…and ${formatCount(rest)} more in the report.`);
    blocks.push(section(`${heading}\n${lines.join('\n')}`));
  }

  if (dryRun) {
    blocks.push(
      section(
        `:warning: *DRY RUN: nothing was deleted.* An apply run with these rules would delete *${countOf(figures.wouldDelete, 'image')}* (${formatBytes(figures.bytesWouldFree)}) in ${countOf(repositoriesWithPlannedDeletes(result), 'repository', 'repositories')}.`,
      ),
    );
  }
  if (result.abortedReason) blocks.push(section(`:octagonal_sign: *Sweep aborted:* ${escapeMrkdwn(truncate(result.abortedReason, 500))}`));
  if (result.interrupted !== undefined) {
    blocks.push(section(`:raised_hand: *Interrupted by ${escapeMrkdwn(result.interrupted)}:* ${formatCount(result.remainingRepositories.length)} repositories remain for the next run.`));
  }
  if (result.stoppedByDeadline) {
    blocks.push(
      section(`:hourglass: *Stopped by the deadline:* ${countOf(result.remainingRepositories.length, 'repository remains', 'repositories remain')} for the next run.`),
    );
  }
  if (result.warnings.length > 0) {
    const max = Math.max(0, options.maxWarnings ?? 3);
    const heading = `:information_source: *${countOf(result.warnings.length, 'warning')}:*`;
    const lines = linesWithin(
      result.warnings.slice(0, max).map((w) => `• ${w.repositoryName ? `${code(w.repositoryName)} ` : ''}${escapeMrkdwn(truncate(w.message, 300))}`),
      SLACK_LIMITS.sectionText - heading.length - 80,
    );
    const rest = result.warnings.length - lines.length;
    if (rest > 0) lines.push(`…and ${formatCount(rest)} more in the report.`);
    blocks.push(section(`${heading}\n${lines.join('\n')}`));
  }

  blocks.push({ type: 'section', fields: totalsFields(figures, result.durationMs).slice(0, SLACK_LIMITS.fields) });
  const targets = targetLines(result, dryRun, Math.max(0, options.maxTargets ?? 10));
  if (targets) blocks.push(section(targets));
  if (result.inUse !== undefined) blocks.push(section(`:shield: *${IN_USE_LABELS.heading}:* ${escapeMrkdwn(inUseSummaryBody(result.inUse, figures.inUseKept))}`));

  const insights = options.insights;
  if (insights) {
    const money = moneyLines(insights.money, dryRun);
    blocks.push(section(`:moneybag: ${escapeMrkdwn(money.freed)}${money.archived ? `\n${escapeMrkdwn(money.archived)}` : ''}\n_${escapeMrkdwn(truncate(money.basis, 600))}_`));
  }

  const { top, others } = topRepositories(summarizeRepositories(result), options.topRepositories ?? 5);
  if (top.length > 0) {
    const lines = linesWithin(
      top.map((s) => `• ${code(s.repositoryName)}: ${formatBytes(s.bytes)}, ${countOf(s.images, 'image')}`),
      SLACK_LIMITS.sectionText - 200,
    );
    if (others) lines.push(`• ${formatCount(others.repositories)} more: ${formatBytes(others.bytes)}, ${countOf(others.images, 'image')}`);
    blocks.push(section(`*Top repositories by bytes ${dryRun ? 'that would be freed' : 'freed'}*\n${lines.join('\n')}`));
  }

  const rules = ruleTotals(result);
  if (rules.length > 0) {
    const max = Math.max(0, options.maxRules ?? 5);
    const mode = dryRun ? 'dryRun' : 'apply';
    const lines = linesWithin(
      rules.slice(0, max).map(
        (t) =>
          `• ${code(ruleName(t.rule))}: ${RULE_LABELS.images[mode].toLowerCase()} ${formatCount(t.images)} (${formatBytes(t.bytes)})${t.archivedImages > 0 ? `, ${RULE_LABELS.archivedImages[mode].toLowerCase()} ${formatCount(t.archivedImages)} (${formatBytes(t.archivedBytes)})` : ''}`,
      ),
      SLACK_LIMITS.sectionText - 200,
    );
    const rest = rules.length - lines.length;
    if (rest > 0) lines.push(`…and ${formatCount(rest)} more in the report.`);
    blocks.push(section(`*${RULE_LABELS.heading}*\n${lines.join('\n')}`));
  }

  if (insights?.changes) {
    const c = insights.changes;
    blocks.push(
      section(
        `:mag: *Since the last run* (${code(c.previousRunId)}): ${countOf(c.images.length, 'image')} changed decision, ${countOf(c.repositories.length, 'repository', 'repositories')} changed status. The report lists each with both reasons.`,
      ),
    );
  }

  if (failures.length > 0) {
    const max = Math.max(0, options.maxFailures ?? 5);
    const lines = failures.slice(0, max).map((f) => {
      const what = f.imageDigest ? `${code(f.repositoryName)} ${code(shortDigest(f.imageDigest))}` : `${code(f.repositoryName)} (repository)`;
      return `• ${what} ${code(truncate(f.code, 100))}: ${escapeMrkdwn(truncate(f.message, 200))}`;
    });
    const heading = `*Failures: ${failed}*`;
    // Whole lines only: cutting one in the middle could leave a code span open.
    const fitting = linesWithin(lines, SLACK_LIMITS.sectionText - heading.length - 80);
    const rest = failures.length - fitting.length;
    if (rest > 0) fitting.push(`…and ${formatCount(rest)} more in the report.`);
    blocks.push(section(`${heading}\n${fitting.join('\n')}`));
  }

  const url = options.reportUrl ?? null;
  if (url && url.length <= SLACK_LIMITS.buttonUrl && /^https?:\/\//i.test(url)) {
    blocks.push({
      type: 'actions',
      elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open the HTML report' }, url, action_id: 'open-report', style: 'primary' }],
    });
  } else if (options.reportLocation) {
    blocks.push(section(`Report: ${code(options.reportLocation)}`));
  }

  blocks.push({
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        text: truncate(
          `Run ${code(result.runId)} · rules ${code(result.rulesSource)} · evaluated ${formatTime(result.now)}${result.retries ? ` · ${formatCount(result.retries)} retries` : ''}`,
          SLACK_LIMITS.sectionText,
        ),
      },
    ],
  });

  return { text: fallbackText(result, figures, url ?? options.reportLocation ?? null), blocks: blocks.slice(0, SLACK_LIMITS.blocks) };
}

/**
 * A multi-target run's targets, one line each (failed targets first, so a cut never hides one),
 * at most `max` lines then `…and N more targets`; undefined for a single-target run. The figures
 * are each target's {@link targetFigures}, the run's definition.
 */
function targetLines(result: SweepResult, dryRun: boolean, max: number): string | undefined {
  const perTarget = targetFigures(result);
  if (perTarget.length === 0) return undefined;
  const ordered = [...perTarget.filter((t) => t.target.status === 'failed'), ...perTarget.filter((t) => t.target.status !== 'failed')];
  const lines = ordered.slice(0, max).map(({ target, figures: f }) => {
    if (target.status === 'failed') {
      const error = target.error ? `${target.error.code}: ${target.error.message}` : (target.statusReason ?? 'unknown error');
      return `• :x: ${code(target.key)} *failed*: ${escapeMrkdwn(truncate(error, 250))}`;
    }
    const done = dryRun ? `${countOf(f.wouldDelete, 'image')} would be deleted (${formatBytes(f.bytesWouldFree)})` : `${countOf(f.deleted, 'image')} deleted (${formatBytes(f.bytesFreed)})`;
    const bad = failureSummary(f);
    return `• ${code(target.key)} ${target.status}: ${done}${bad ? `, ${bad}` : ''}`;
  });
  const heading = `*Targets (${formatCount(perTarget.length)}${result.totals.failedTargets ? `, ${formatCount(result.totals.failedTargets)} failed` : ''})*`;
  const fitting = linesWithin(lines, SLACK_LIMITS.sectionText - heading.length - 80);
  const rest = perTarget.length - fitting.length;
  if (rest > 0) fitting.push(`…and ${countOf(rest, 'more target')} in the report.`);
  return `${heading}\n${fitting.join('\n')}`;
}

/** The totals as Block Kit fields, labelled as in every other report ({@link FIGURE_LABELS}). */
function totalsFields(f: RunFigures, durationMs: number): SlackText[] {
  const L = FIGURE_LABELS;
  const repositories = `${formatCount(f.repositories)}${f.notListedRepositories ? ` (${formatCount(f.notListedRepositories)} not listed)` : ''}`;
  const fields: SlackText[] = [field('Mode', f.dryRun ? 'dry run' : 'apply'), field(L.repositories, repositories), field(L.images, formatCount(f.images))];
  if (f.dryRun) {
    fields.push(
      field(L.wouldDelete, formatCount(f.wouldDelete)),
      field(L.failedRepositories, formatCount(f.failedRepositories)),
      field(L.bytesWouldFree, formatBytes(f.bytesWouldFree)),
    );
  } else {
    fields.push(
      field(L.deleted, `${formatCount(f.deleted)} of ${formatCount(f.planned)} planned`),
      field(L.failedDeletions, formatCount(f.failedDeletions)),
      field(L.failedRepositories, formatCount(f.failedRepositories)),
      field(L.skipped, formatCount(f.skipped)),
      // Only runs that archived show it: most rule sets never transition anything.
      ...(f.archived > 0 ? [field(L.archived, `${formatCount(f.archived)} (not deleted)`)] : []),
      field(L.bytesFreed, formatBytes(f.bytesFreed)),
    );
  }
  fields.push(field('Duration', formatDuration(durationMs)));
  return fields;
}

function fallbackText(result: SweepResult, f: RunFigures, link: string | null): string {
  const head = f.dryRun
    ? `ECR sweep ${result.runId}: DRY RUN, nothing was deleted. ${countOf(f.wouldDelete, 'image')} (${formatBytes(f.bytesWouldFree)}) would be deleted`
    : `ECR sweep ${result.runId}: ${countOf(f.deleted, 'image')} deleted (${formatBytes(f.bytesFreed)} freed)`;
  const tail = [
    failureSummary(f) || 'no failures',
    ...(f.dryRun ? [] : [`${formatCount(f.skipped)} skipped`]),
    ...(f.archived > 0 ? [`${formatCount(f.archived)} archived`] : []),
  ].join(', ');
  const warnings = result.warnings.length > 0 ? ` ${countOf(result.warnings.length, 'warning')}.` : '';
  const inUse = result.inUse !== undefined ? ` In use: ${inUseSummaryBody(result.inUse, f.inUseKept)}.` : '';
  const failedSources = failedSourceNames(result.inUse);
  const lead = failedSources ? `IN-USE SCAN FAILED (${failedSources}): ${inUseFailureHeadline(inUseFigures(result.inUse)!.failed.length)}. ` : '';
  const text = `${lead}${head} across ${countOf(f.repositories, 'repository', 'repositories')}; ${tail}.${inUse}${warnings}${link ? ` Report: ${link}` : ''}`;
  return escapeMrkdwn(text);
}

/** The leading lines whose joined length stays within `max` characters. */
function linesWithin(lines: readonly string[], max: number): string[] {
  const kept: string[] = [];
  let length = 0;
  for (const line of lines) {
    const next = length + line.length + (kept.length > 0 ? 1 : 0);
    if (next > max) break;
    kept.push(line);
    length = next;
  }
  return kept;
}

function section(text: string): SlackBlock {
  return { type: 'section', text: { type: 'mrkdwn', text: truncate(text, SLACK_LIMITS.sectionText) } };
}

function field(label: string, value: string): SlackText {
  return { type: 'mrkdwn', text: truncate(`*${label}*\n${escapeMrkdwn(value)}`, SLACK_LIMITS.fieldText) };
}

function repositoriesWithPlannedDeletes(result: SweepResult): number {
  return result.repositories.filter((r) => r.counts.planned > 0).length;
}
