/**
 * The on-demand dry run: `osls invoke -f plan --data '{"repositories":"team-a/*"}'`. Always
 * dry-run whatever the rules say (and its IAM role cannot delete); returns the plan summary and
 * where the full report was written.
 */
import type { Context } from 'aws-lambda';
import { parsePlanEvent } from './shared/events.js';
import { lambdaHandler, startRun } from './shared/handler.js';
import { logger } from './shared/observability.js';
import { loadConfiguredRules, parseRulesText } from './shared/rules-source.js';
import { executeRun } from './shared/run.js';
import { summarizeRun, type RunSummary } from './shared/summary.js';

async function plan(event: unknown, context: Context): Promise<RunSummary> {
  // Validate before anything else: a malformed event runs nothing.
  const request = parsePlanEvent(event);
  const { deps, deadline, runId } = startRun(context);
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
}

/** Lambda entry point (serverless.yml: functions.plan). */
export const handler = lambdaHandler('plan', plan);
