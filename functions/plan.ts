/**
 * The on-demand dry run: `osls invoke -f plan --data '{"repositories":"team-a/*"}'`. Always
 * dry-run whatever the rules say (and its IAM role cannot delete); returns the plan summary and
 * where the full report was written.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { getDeps } from './shared/clients.js';
import { parsePlanEvent } from './shared/events.js';
import { logger, metrics } from './shared/observability.js';
import { loadConfiguredRules, parseRulesText } from './shared/rules-source.js';
import { executeRun, newRunId } from './shared/run.js';
import { deadlineFor, summarizeRun, type RunSummary } from './shared/summary.js';

async function plan(event: unknown, context: Context): Promise<RunSummary> {
  try {
    // Validate before anything else: a malformed event runs nothing.
    const request = parsePlanEvent(event);
    const deps = getDeps();
    const deadline = deadlineFor(context, deps.config.deadlineMarginMs);
    const runId = newRunId();
    logger.appendKeys({ runId, mode: 'dry-run' });
    logger.info('plan started', {
      repositories: request.repositories ?? null,
      inlineRules: request.rules !== undefined,
      now: request.now === undefined ? null : new Date(request.now).toISOString(),
    });
    const ruleSet =
      request.rules !== undefined
        ? parseRulesText(request.rules, 'event.rules')
        : await loadConfiguredRules(deps.config, { s3: deps.s3, ssm: deps.ssm });
    logger.appendKeys({ rulesSource: ruleSet.source });
    const outcome = await executeRun(deps, {
      runId,
      ruleSet,
      mode: 'dry-run',
      ...(request.now !== undefined ? { now: request.now } : {}),
      ...(request.repositories ? { repositoryFilter: request.repositories } : {}),
      deadline,
      checkpoint: false,
    });
    return summarizeRun(outcome);
  } catch (error) {
    logger.error('plan failed', error as Error);
    throw error;
  }
}

/** Lambda entry point (serverless.yml: functions.plan). */
export const handler = middy(plan)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics, { captureColdStartMetric: true }));
