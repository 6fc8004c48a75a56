/**
 * The scheduled sweep: rules from the bundle (or S3 / SSM), mode from the rules (dry-run unless
 * they say apply), plan to S3 before any deletion, result reports and Slack after, and a thrown
 * SweepFailedError (after the report) when anything failed, so the alarm fires.
 */
import type { Context } from 'aws-lambda';
import { SweepFailedError } from './shared/errors.js';
import { parseSweepEvent } from './shared/events.js';
import { lambdaHandler, startRun } from './shared/handler.js';
import { logger } from './shared/observability.js';
import { loadConfiguredRules } from './shared/rules-source.js';
import { executeRun } from './shared/run.js';
import { slackNotifierFor } from './shared/slack.js';
import { summarizeRun, type RunSummary } from './shared/summary.js';

async function sweep(event: unknown, context: Context): Promise<RunSummary> {
  const trigger = parseSweepEvent(event);
  const { deps, deadline, runId } = startRun(context);
  logger.appendKeys({ runId });
  logger.info('sweep started', { trigger });
  const ruleSet = await loadConfiguredRules(deps.config, { s3: deps.s3, ssm: deps.ssm });
  logger.appendKeys({ rulesSource: ruleSet.source, mode: ruleSet.defaults.mode });
  const outcome = await executeRun(deps, { runId, ruleSet, deadline, checkpoint: true, notifier: () => slackNotifierFor(deps) });
  const { result } = outcome.output;
  // An in-use source that cannot be read blocks every deletion, night after night, until someone
  // fixes it (a missing permission, a stale in-use file): that must raise the alarm too.
  const failedInUseSources = (result.inUse?.sources ?? [])
    .filter((s) => s.status === 'failed')
    .map((s) => `${s.label}: ${s.error?.code ?? 'error'}${s.error?.message ? ` (${s.error.message})` : ''}`);
  // The report is written by now: failing the invocation is what makes the alarm fire.
  if (result.totals.failed > 0 || result.totals.failedRepositories > 0 || result.abortedReason || failedInUseSources.length > 0) {
    throw new SweepFailedError({
      // A resumed run reports under its checkpoint's run id.
      runId: result.runId,
      failedDeletions: result.totals.failed,
      failedRepositories: result.totals.failedRepositories,
      ...(result.abortedReason ? { abortedReason: result.abortedReason } : {}),
      ...(failedInUseSources.length > 0 ? { failedInUseSources } : {}),
      reportLocation: outcome.report.folder,
    });
  }
  return summarizeRun(outcome);
}

/** Lambda entry point (serverless.yml: functions.sweep). */
export const handler = lambdaHandler('sweep', sweep);
