/**
 * Organization sweep, step 4 (one item of an apply lane): executes one shard's recorded plan
 * through the engine's resume path: no new listing, every batch re-read and checked against the
 * in-use set just before it is deleted; its own checkpoint and journal under the run's prefix.
 */
import type { Context } from 'aws-lambda';
import { applyShard, type ShardOutput } from '../lib/engine/org-steps.js';
import { lambdaHandler, startRun } from './shared/handler.js';
import { withImageParts } from './shared/image-parts.js';
import { logger } from './shared/observability.js';
import { parseShardEvent } from './shared/org.js';
import { orgStepDeps } from './shared/org-wiring.js';
import { loadConfiguredRules } from './shared/rules-source.js';

async function applyOne(event: unknown, context: Context): Promise<ShardOutput> {
  const request = parseShardEvent(event);
  const { deps, deadline } = startRun(context);
  logger.appendKeys({ runId: request.run.runId, shardId: request.shard.shardId, target: request.shard.targetKey });
  const ruleSet = await loadConfiguredRules(deps.config, { s3: deps.s3, ssm: deps.ssm });
  // The shard's images wait in /tmp until its part is written; the folder goes when the step ends.
  const output = await withImageParts((parts) => applyShard(orgStepDeps(deps, parts), { ...request, ruleSet, deadline }));
  logger.info('shard applied', { ...output });
  return output;
}

/** Lambda entry point (serverless.yml: functions.orgApplyShard). */
export const handler = lambdaHandler('org-apply-shard', applyOne);
