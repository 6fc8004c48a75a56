/**
 * One run as both functions perform it: plan written to S3 before anything is deleted, the
 * engine, the result files after, logs and metrics, and (sweep only) the Slack summary. The
 * images wait in an image part store under /tmp, removed when the run ends.
 */
import { dirname, resolve } from 'node:path';
import { S3CheckpointStore } from '../../lib/adapters/checkpoint-s3.js';
import { createInUseReaders } from '../../lib/adapters/in-use-readers.js';
import { inUseSettingsOf } from '../../lib/core/in-use-settings.js';
import { S3IndexStore } from '../../lib/adapters/index-store-s3.js';
import { S3JournalStore } from '../../lib/adapters/journal-s3.js';
import { publishReports, type WrittenReport } from '../../lib/adapters/report-store.js';
import type { SlackNotifier } from '../../lib/adapters/slack-notifier.js';
import { S3ReportStore } from '../../lib/adapters/report-store-s3.js';
import { joinKey } from '../../lib/core/report-layout.js';
import type { Mode, RuleSet } from '../../lib/core/rules-model.js';
import { runSweep } from '../../lib/engine/sweep.js';
import type { ImagePartStore, SweepOutput } from '../../lib/engine/types.js';
import type { FunctionDeps } from './clients.js';
import { withImageParts } from './image-parts.js';
import { logger, logPlan, logResult, recordMetrics, recordSlackFailure } from './observability.js';
import { ecrRegistry } from '../../lib/adapters/ecr-registry-connector.js';

/** What a function asks of a run. */
export interface RunRequest {
  runId: string;
  ruleSet: RuleSet;
  /** 'dry-run' forces a dry run; undefined leaves the mode to the rules. */
  mode?: Mode;
  now?: number;
  repositoryFilter?: string;
  /** Epoch ms at which the engine stops between batches. */
  deadline: number;
  /** Resume from, and record progress to, the S3 checkpoint and journal (sweep only). */
  checkpoint: boolean;
  /**
   * The Slack notifier for this run, if any (sweep only). Passed in rather than imported so the
   * plan function's bundle carries no Slack or Secrets Manager code.
   */
  notifier?: () => Promise<SlackNotifier | undefined>;
}

/** What a run produced and where its files are. */
export interface RunOutcome {
  /**
   * The plan and result with their summaries and counts. Their repositories' `images` are no
   * longer readable: they were in the run's image part store, removed when the run ended.
   */
  output: SweepOutput;
  /** S3 URI of plan.json; null only if the engine returned without handing over a plan. */
  planLocation: string | null;
  report: WrittenReport;
  slackSent: boolean | null;
}

/** S3 key of the sweep's checkpoint: next to the reports, under the prefix its IAM policy allows. */
export function checkpointKey(prefix: string): string {
  return joinKey(prefix, 'checkpoints/sweep.json');
}

/** S3 prefix of the sweep's result journal: one folder of part objects per run id. */
export function journalPrefix(prefix: string): string {
  return joinKey(prefix, 'journal');
}

/** Run ids are shared with the CLI (`lib/run-id.ts`). */
export { newRunId } from '../../lib/run-id.js';

/**
 * Runs the engine with the functions' S3 report store as plan sink: if plan.json cannot be
 * written the engine deletes nothing and the error propagates. Then logs, records metrics and
 * writes result.json / result.csv / report.html, and posts to Slack when asked and configured.
 * Each repository's images wait in a fresh image part store under /tmp (the reports read them
 * back one repository at a time); its folder is removed when the run ends, also when it throws.
 *
 * @throws whatever the engine throws (bad rules never get here), ImagePartError (/tmp full), or ReportWriteError.
 */
export async function executeRun(deps: FunctionDeps, request: RunRequest): Promise<RunOutcome> {
  return withImageParts((imageParts) => runWithParts(deps, request, imageParts));
}

async function runWithParts(deps: FunctionDeps, request: RunRequest, imageParts: ImagePartStore): Promise<RunOutcome> {
  const { config } = deps;
  const store = new S3ReportStore(deps.s3, {
    bucket: config.reportBucket,
    prefix: config.reportPrefix,
    urlExpiresInSeconds: config.presignExpirySeconds,
  });
  let planLocation: string | null = null;
  // Every run scans the sources its rules enable (ECS and Lambda by default); in-use files with
  // no location of their own are read from the deployment's in-use prefix (IN_USE_S3_URI).
  const readers = createInUseReaders(inUseSettingsOf(request.ruleSet), deps.clients, {
    baseDir: dirname(resolve(config.taskRoot ?? process.cwd(), config.rulesFile)),
    defaultFilesLocation: config.inUseS3Uri,
  });
  const output = await runSweep(
    {
      registry: ecrRegistry(deps.ecr),
      logger,
      imageParts,
      // Both functions share the memory of index reads, so neither re-reads (pulls) an index the other read.
      indexStore: new S3IndexStore(deps.s3, config.reportBucket, config.reportPrefix),
      callerIdentity: deps.callerIdentity,
      inUse: { readers },
      ...(request.checkpoint
        ? {
            checkpoint: new S3CheckpointStore(deps.s3, config.reportBucket, checkpointKey(config.reportPrefix)),
            // A timeout kills the function like kill -9: the journal and the checkpoint are what is left.
            journal: new S3JournalStore(deps.s3, config.reportBucket, journalPrefix(config.reportPrefix)),
          }
        : {}),
      planSink: async (plan) => {
        logPlan(plan);
        // A resumed run carries its checkpoint's run id, not the one this invocation started with.
        if (plan.runId !== undefined && plan.runId !== request.runId) logger.appendKeys({ runId: plan.runId });
        planLocation = await store.writePlan(plan, plan.runId ?? request.runId);
        logger.info('plan written', { location: planLocation });
      },
    },
    {
      ruleSet: request.ruleSet,
      ...(request.mode ? { mode: request.mode } : {}),
      ...(request.now !== undefined ? { now: request.now } : {}),
      ...(request.repositoryFilter ? { repositoryFilter: request.repositoryFilter } : {}),
      deadline: request.deadline,
      concurrency: config.concurrency,
      runId: request.runId,
      rulesSource: request.ruleSet.source ?? 'unknown',
    },
  );
  logResult(output.result);
  recordMetrics(output.result);
  const notifier = request.notifier ? await request.notifier() : undefined;
  const region = await deps.ecr.config.region().catch(() => null);
  const published = await publishReports(store, output.result, { ...(notifier ? { notifier } : {}), logger, region, prices: config.prices });
  if (published.slack && !published.slack.ok) recordSlackFailure(published.slack.error);
  return {
    output,
    planLocation,
    report: published.report,
    slackSent: published.slack === null ? null : published.slack.ok,
  };
}
