/**
 * Organization sweep, step 1 (serverless.yml `orgSweep`): resolves the targets, scans the in-use
 * set of every target once (stored for the shards), lists each target's repositories and writes
 * the shards and lanes the planning Map reads. A target that cannot be reached is recorded failed.
 */
import type { Context } from 'aws-lambda';
import { startOrgRun, type StartOutput } from '../lib/engine/org-steps.js';
import { lambdaHandler, startRun } from './shared/handler.js';
import { logger } from './shared/observability.js';
import { orgSettings, parseStartEvent, runRefOf } from './shared/org.js';
import { orgStepDeps, resolveRunTargets } from './shared/org-wiring.js';
import { loadConfiguredRules } from './shared/rules-source.js';

async function start(event: unknown, context: Context): Promise<StartOutput> {
  const input = parseStartEvent(event);
  const { deps, runId } = startRun(context);
  logger.appendKeys({ runId });
  const settings = orgSettings(process.env, deps.config.concurrency);
  const ruleSet = await loadConfiguredRules(deps.config, { s3: deps.s3, ssm: deps.ssm });
  const output = await startOrgRun(orgStepDeps(deps), {
    run: runRefOf(deps, runId),
    ruleSet,
    ...(input.mode ? { mode: input.mode } : {}),
    resolveTargets: () => resolveRunTargets(deps, ruleSet, runId),
    settings,
  });
  logger.info('org run started', { ...output });
  return output;
}

/** Lambda entry point (serverless.yml: functions.orgStart). */
export const handler = lambdaHandler('org-start', start);
