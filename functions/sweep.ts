/**
 * The scheduled sweep: rules from the bundle (or S3 / SSM), mode from the rules (dry-run unless
 * they say apply), plan to S3 before any deletion, result reports and Slack after, and a thrown
 * SweepFailedError (after the report) when anything failed, so the alarm fires.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { getDeps } from './shared/clients.js';
import { SweepFailedError } from './shared/errors.js';
import { parseSweepEvent } from './shared/events.js';
import { logger, metrics } from './shared/observability.js';
import { loadConfiguredRules } from './shared/rules-source.js';
import { executeRun, newRunId } from './shared/run.js';
import { slackNotifierFor } from './shared/slack.js';
import { deadlineFor, summarizeRun, type RunSummary } from './shared/summary.js';

async function sweep(event: unknown, context: Context): Promise<RunSummary> {
  try {
    const trigger = parseSweepEvent(event);
    const deps = getDeps();
    // Take the deadline first: loading the rules eats into the same remaining time.
    const deadline = deadlineFor(context, deps.config.deadlineMarginMs);
    const runId = newRunId();
    logger.appendKeys({ runId });
    logger.info('sweep started', { trigger });
    const ruleSet = await loadConfiguredRules(deps.config, { s3: deps.s3, ssm: deps.ssm });
    logger.appendKeys({ rulesSource: ruleSet.source, mode: ruleSet.defaults.mode });
    const outcome = await executeRun(deps, { runId, ruleSet, deadline, checkpoint: true, notifier: () => slackNotifierFor(deps) });
    const { result } = outcome.output;
    // The report is written by now: failing the invocation is what makes the alarm fire.
    if (result.totals.failed > 0 || result.totals.failedRepositories > 0 || result.abortedReason) {
      throw new SweepFailedError({
        runId,
        failedDeletions: result.totals.failed,
        failedRepositories: result.totals.failedRepositories,
        ...(result.abortedReason ? { abortedReason: result.abortedReason } : {}),
        reportLocation: outcome.report.folder,
      });
    }
    return summarizeRun(outcome);
  } catch (error) {
    logger.error('sweep failed', error as Error);
    throw error;
  }
}

/** Lambda entry point (serverless.yml: functions.sweep). */
export const handler = middy(sweep)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics, { captureColdStartMetric: true }));
