/**
 * What the functions return: a summary small enough for a Lambda response (the full plan and
 * result are in S3), and the deadline arithmetic both share.
 */
import type { Context } from 'aws-lambda';
import type { PlanCounts, RepositoryStatus } from '../../lib/core/plan-model.js';
import type { Mode } from '../../lib/core/rules-model.js';
import type { ResultCounts, RepositoryRunStatus } from '../../lib/core/result-model.js';
import type { RunOutcome } from './run.js';

/** One repository in the returned summary. */
export interface RepositorySummaryLine {
  repositoryName: string;
  policy: string | null;
  planStatus: RepositoryStatus | null;
  status: RepositoryRunStatus;
  statusReason?: string;
  images: number;
  planned: number;
  deleted: number;
  failed: number;
  bytesToFree: number;
  bytesFreed: number;
}

/** The function's return value. */
export interface RunSummary {
  runId: string;
  mode: Mode;
  now: string;
  rulesSource: string;
  plan: PlanCounts & { repositories: number; blockedRepositories: number };
  totals: ResultCounts & { repositories: number; failedRepositories: number };
  stoppedByDeadline: boolean;
  abortedReason?: string;
  remainingRepositories: string[];
  repositories: RepositorySummaryLine[];
  reports: {
    plan: string | null;
    folder: string;
    resultJson: string;
    resultCsv: string;
    reportHtml: string;
    /** Presigned HTTPS link to report.html. */
    reportUrl: string;
  };
  /** null: Slack not asked for or not configured. */
  slackSent: boolean | null;
}

/**
 * The engine's deadline for this invocation: now + the time Lambda has left - a margin kept for
 * writing the result, the reports and the Slack message.
 */
export function deadlineFor(context: Pick<Context, 'getRemainingTimeInMillis'>, marginMs: number, now: number = Date.now()): number {
  return now + context.getRemainingTimeInMillis() - marginMs;
}

/** Builds the function's return value from a run. */
export function summarizeRun(outcome: RunOutcome): RunSummary {
  const { plan, result } = outcome.output;
  const planned = new Map(plan.repositories.map((r) => [r.repositoryName, r]));
  return {
    runId: result.runId,
    mode: result.mode,
    now: result.now,
    rulesSource: result.rulesSource,
    plan: plan.summary,
    totals: result.totals,
    stoppedByDeadline: result.stoppedByDeadline,
    ...(result.abortedReason ? { abortedReason: result.abortedReason } : {}),
    remainingRepositories: result.remainingRepositories,
    repositories: result.repositories.map((r) => ({
      repositoryName: r.repositoryName,
      policy: r.policy,
      planStatus: r.planStatus,
      status: r.status,
      ...(r.statusReason ? { statusReason: r.statusReason } : {}),
      images: r.counts.images,
      planned: r.counts.planned,
      deleted: r.counts.deleted,
      failed: r.counts.failed,
      bytesToFree: planned.get(r.repositoryName)?.counts.bytesToFree ?? 0,
      bytesFreed: r.counts.bytesFreed,
    })),
    reports: {
      plan: outcome.planLocation,
      folder: outcome.report.folder,
      ...outcome.report.files,
      reportUrl: outcome.report.reportUrl,
    },
    slackSent: outcome.slackSent,
  };
}
