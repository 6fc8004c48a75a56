/**
 * Organization sweep, step 2 (one item of a planning lane): plans one shard, the repositories of
 * one target, with the same engine as the single sweep (dry run), and writes its plan part. A
 * shard that cannot be planned writes a failed part naming its account and Region.
 */
import type { Context } from 'aws-lambda';
import { planShard, type ShardOutput } from '../lib/engine/org-steps.js';
import { lambdaHandler, startRun } from './shared/handler.js';
import { withImageParts } from './shared/image-parts.js';
import { logger } from './shared/observability.js';
import { parseShardEvent } from './shared/org.js';
import { orgStepDeps } from './shared/org-wiring.js';
import { loadConfiguredRules } from './shared/rules-source.js';

async function planOne(event: unknown, context: Context): Promise<ShardOutput> {
  const request = parseShardEvent(event);
  const { deps, deadline } = startRun(context);
  logger.appendKeys({ runId: request.run.runId, shardId: request.shard.shardId, target: request.shard.targetKey });
  const ruleSet = await loadConfiguredRules(deps.config, { s3: deps.s3, ssm: deps.ssm });
  // The shard's images wait in /tmp until its part is written; the folder goes when the step ends.
  const output = await withImageParts((parts) => planShard(orgStepDeps(deps, parts), { ...request, ruleSet, deadline }));
  logger.info('shard planned', { ...output });
  return output;
}

/** Lambda entry point (serverless.yml: functions.orgPlanShard). */
export const handler = lambdaHandler('org-plan-shard', planOne);
