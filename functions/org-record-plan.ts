/**
 * Organization sweep, step 3: every shard's plan part merged into the run's plan.json (and its
 * reports) BEFORE the apply lanes are written, so nothing is deleted anywhere before the whole
 * organization's plan is recorded. If plan.json cannot be written, this fails and nothing is applied.
 */
import type { Context } from 'aws-lambda';
import { S3ReportStore } from '../lib/adapters/report-store-s3.js';
import { recordPlan, type RecordPlanOutput } from '../lib/engine/org-steps.js';
import { lambdaHandler, startRun } from './shared/handler.js';
import { withImageParts } from './shared/image-parts.js';
import { logPlan, logger } from './shared/observability.js';
import { parseRecordEvent } from './shared/org.js';
import { orgStepDeps } from './shared/org-wiring.js';

async function record(event: unknown, context: Context): Promise<RecordPlanOutput> {
  const request = parseRecordEvent(event);
  const { deps } = startRun(context);
  logger.appendKeys({ runId: request.run.runId });
  const store = new S3ReportStore(deps.s3, { bucket: deps.config.reportBucket, prefix: deps.config.reportPrefix, urlExpiresInSeconds: deps.config.presignExpirySeconds });
  // Each shard part's images wait in /tmp while the parts are read; plan.json reads them back repository by repository.
  const output = await withImageParts((parts) =>
    recordPlan(orgStepDeps(deps, parts), {
      run: request.run,
      ...(request.planMapError !== undefined ? { planMapError: request.planMapError } : {}),
      writePlan: async (plan) => {
        logPlan(plan);
        return store.writePlan(plan, request.run.runId);
      },
    }),
  );
  logger.info('org plan recorded', { ...output });
  return output;
}

/** Lambda entry point (serverless.yml: functions.orgRecordPlan). */
export const handler = lambdaHandler('org-record-plan', record);
