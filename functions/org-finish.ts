/**
 * Organization sweep, step 5: one result from every shard (result.json, CSV, HTML), one Slack
 * message; then, when a target, a shard, an in-use source or a deletion failed, a thrown
 * SweepFailedError, so the execution fails and the alarm fires (after the report is written).
 */
import type { Context } from 'aws-lambda';
import { publishReports } from '../lib/adapters/report-store.js';
import { S3ReportStore } from '../lib/adapters/report-store-s3.js';
import { finishOrgRun, type FinishRequest } from '../lib/engine/org-steps.js';
import type { ImagePartStore } from '../lib/engine/types.js';
import type { FunctionDeps } from './shared/clients.js';
import { OrgSweepFailedError } from './shared/errors.js';
import { lambdaHandler, startRun } from './shared/handler.js';
import { withImageParts } from './shared/image-parts.js';
import { logResult, logger, recordMetrics, recordSlackFailure } from './shared/observability.js';
import { parseFinishEvent } from './shared/org.js';
import { orgStepDeps } from './shared/org-wiring.js';
import { slackNotifierFor } from './shared/slack.js';

/** What the execution's output says of a run that did not fail. */
export interface OrgRunSummary {
  runId: string;
  mode: string;
  totals: Record<string, number>;
  report: string;
  slackSent: boolean | null;
}

async function finish(event: unknown, context: Context): Promise<OrgRunSummary> {
  const request = parseFinishEvent(event);
  const { deps } = startRun(context);
  logger.appendKeys({ runId: request.run.runId });
  // Each shard part's images wait in /tmp while the parts are read; the reports read them back repository by repository.
  return withImageParts((parts) => report(deps, request, parts));
}

async function report(deps: FunctionDeps, request: FinishRequest, parts: ImagePartStore): Promise<OrgRunSummary> {
  const { result, failures } = await finishOrgRun(orgStepDeps(deps, parts), request);
  logResult(result);
  recordMetrics(result);
  const store = new S3ReportStore(deps.s3, { bucket: deps.config.reportBucket, prefix: deps.config.reportPrefix, urlExpiresInSeconds: deps.config.presignExpirySeconds });
  const notifier = await slackNotifierFor(deps);
  const published = await publishReports(store, result, { ...(notifier ? { notifier } : {}), logger, region: null, prices: deps.config.prices });
  if (published.slack && !published.slack.ok) recordSlackFailure(published.slack.error);
  if (failures.length > 0) throw new OrgSweepFailedError(result.runId, failures, published.report.folder);
  return {
    runId: result.runId,
    mode: result.mode,
    totals: { ...result.totals },
    report: published.report.folder,
    slackSent: published.slack === null ? null : published.slack.ok,
  };
}

/** Lambda entry point (serverless.yml: functions.orgFinish). */
export const handler = lambdaHandler('org-finish', finish);
