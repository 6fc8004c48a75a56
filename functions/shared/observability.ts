/**
 * The functions' Powertools Logger and Metrics, one instance each per container, and what they
 * say about a run: one INFO line per repository, per-image detail at DEBUG, and EMF metrics.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Plan } from '../../lib/core/plan-model.js';
import type { SweepResult } from '../../lib/core/result-model.js';

/** Structured JSON logger; POWERTOOLS_LOG_LEVEL sets the level (serverless.yml: param logLevel). */
export const logger = new Logger({ serviceName: 'ecr-sweeper' });

/** EMF metrics in the EcrSweeper namespace (POWERTOOLS_METRICS_NAMESPACE overrides). */
export const metrics = new Metrics({ namespace: 'EcrSweeper', serviceName: 'ecr-sweeper' });

function debugEnabled(): boolean {
  const level = logger.getLevelName();
  return level === 'DEBUG' || level === 'TRACE';
}

/** Logs one summary line per repository at INFO and, at DEBUG, one line per image with its reason and outcome. */
export function logResult(result: SweepResult): void {
  const perImage = debugEnabled();
  for (const repo of result.repositories) {
    logger.info('repository summary', {
      repository: repo.repositoryName,
      policy: repo.policy,
      status: repo.status,
      ...(repo.statusReason ? { statusReason: repo.statusReason } : {}),
      ...(repo.error ? { error: repo.error } : {}),
      mode: result.mode,
      images: repo.counts.images,
      planned: repo.counts.planned,
      deleted: repo.counts.deleted,
      failed: repo.counts.failed,
      skipped: repo.counts.skipped,
      wouldDelete: repo.counts.wouldDelete,
      kept: repo.counts.kept,
      archived: repo.counts.archived,
      bytesFreed: repo.counts.bytesFreed,
    });
    if (!perImage) continue;
    for (const image of repo.images) {
      logger.debug('image', {
        repository: repo.repositoryName,
        imageDigest: image.imageDigest,
        imageTags: image.imageTags,
        decision: image.decision,
        rule: image.rule,
        reason: image.reason,
        outcome: image.outcome,
      });
    }
  }
  logger.info('run finished', {
    mode: result.mode,
    rulesSource: result.rulesSource,
    totals: result.totals,
    apiCalls: result.apiCalls,
    retries: result.retries,
    throttles: result.throttles,
    stoppedByDeadline: result.stoppedByDeadline,
    ...(result.abortedReason ? { abortedReason: result.abortedReason } : {}),
    remainingRepositories: result.remainingRepositories.length,
    durationMs: result.durationMs,
  });
}

/** Logs the plan's headline before anything is deleted. */
export function logPlan(plan: Plan): void {
  logger.info('plan ready', { mode: plan.mode, now: plan.now, summary: plan.summary });
}

/** Adds the run's EMF metrics; the `logMetrics` middleware flushes them when the invocation ends. */
export function recordMetrics(result: SweepResult): void {
  metrics.addDimension('mode', result.mode);
  metrics.addMetadata('runId', result.runId);
  metrics.addMetric('ImagesDeleted', MetricUnit.Count, result.totals.deleted);
  metrics.addMetric('BytesFreed', MetricUnit.Bytes, result.totals.bytesFreed);
  metrics.addMetric('ImagesArchived', MetricUnit.Count, result.totals.archived);
  metrics.addMetric('DeleteFailures', MetricUnit.Count, result.totals.failed);
  metrics.addMetric('Throttles', MetricUnit.Count, result.throttles);
  metrics.addMetric('ImagesPlannedForDeletion', MetricUnit.Count, result.totals.planned);
  metrics.addMetric('RepositoriesFailed', MetricUnit.Count, result.totals.failedRepositories);
  // A blocked repository is a safety limit doing its job, not a failed sweep, so it does not fail
  // the invocation; the metric lets a team alarm on it when a repository stays uncleaned.
  metrics.addMetric('RepositoriesBlocked', MetricUnit.Count, result.repositories.filter((r) => r.status === 'blocked').length);
}

/** Counts a Slack summary that could not be delivered (issue 6: logged and counted, never fatal). */
export function recordSlackFailure(error: string | undefined): void {
  logger.warn('Slack summary not delivered', { error });
  metrics.addMetric('SlackFailures', MetricUnit.Count, 1);
}
