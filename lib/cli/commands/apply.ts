/**
 * `ecr-sweeper apply`: plans, then deletes what the plan marks for deletion. Without `--yes` it
 * shows the plan and asks on the terminal first; with no terminal it refuses. The question is asked
 * from the engine's plan sink, so what runs is exactly the plan that was shown, not a re-plan.
 */
import { FileImageParts } from '../../adapters/image-parts-file.js';
import type { ImagePartStore } from '../../engine/types.js';
import { writeJson } from '../write-json.js';
import type { Plan } from '../../core/plan-model.js';
import type { SweepResult } from '../../core/result-model.js';
import type { PlanVerdict, SweepDeps } from '../../engine/types.js';
import { applyScope, type ApplyScope } from '../../core/plan-summary.js';
import { confirm } from '../confirm.js';
import { FileCheckpointStore } from '../../adapters/checkpoint-file.js';
import { loadRulesFile } from '../../adapters/rules-file.js';
import { runSweep } from '../../engine/sweep.js';
import { CliUsageError, ConfirmationRequiredError } from '../errors.js';
import { applyExitCode, ExitCode, type ExitCodeValue } from '../exit-codes.js';
import { journalFor, watchInterrupts } from '../interrupts.js';
import { formatBytes } from '../format-bytes.js';
import { renderPlanTable } from '../format-plan-table.js';
import { renderResultTable } from '../format-result-table.js';
import { renderWarnings } from '../format-warnings.js';
import { renderInUseFailures } from '../format-in-use.js';
import { parseConcurrency, parseFormat, parseMaxDuration, parseTargetConcurrency } from '../options.js';
import { runCliTargets } from '../targets-run.js';
import { createProgressReporter } from '../progress.js';
import { insightsWithoutStore, localReportStore, newRunId, notifySlack, priceTableFor, regionOf, slackNotifierFor } from '../reports.js';
import { writeRunReports } from '../../adapters/report-store.js';
import { renderRuleTotals } from '../format-rule-totals.js';
import { pullTimeDepsFor, type IndexStoreFlags } from '../index-store.js';
import { inUseDepsFor } from '../in-use-deps.js';
import { awsClientsFor, explainProfileCredentialsError, slackWebhookUrlFor, type AwsFlags, type CliRuntime, type SlackFlags } from '../runtime.js';
import { resolvePath } from '../paths.js';
import { ecrRegistry } from '../../adapters/ecr-registry-connector.js';

/** `apply`'s flags as commander parses them (values still strings). */
export interface ApplyFlags extends AwsFlags, SlackFlags, IndexStoreFlags {
  rules: string;
  yes?: boolean;
  repository?: string;
  /** Refused (usage error): only `plan` evaluates at another time. */
  now?: string;
  format?: string;
  out?: string;
  concurrency?: string;
  checkpoint?: string;
  maxDuration?: string;
  prices?: string;
  targetConcurrency?: string;
}

/**
 * Runs `apply` and returns the exit code: 0 done, 1 some deletions or repositories failed (or
 * `--max-duration` stopped the run early), 3 a safety limit aborted the run or blocked a repository
 * or an in-use source could not be read,
 * 130/143 interrupted by SIGINT/SIGTERM (stopped between batches, result written). Declining at
 * the prompt exits 0 with nothing deleted.
 */
export async function applyCommand(flags: ApplyFlags, runtime: CliRuntime): Promise<ExitCodeValue> {
  // Each repository's images wait on disk between planning, execution and the reports, so memory follows the largest repository, not the registry; removed when the command ends.
  const imageParts = new FileImageParts();
  try {
    return await runApply(flags, runtime, imageParts);
  } finally {
    imageParts.dispose();
  }
}

async function runApply(flags: ApplyFlags, runtime: CliRuntime, imageParts: ImagePartStore): Promise<ExitCodeValue> {
  const { io } = runtime;
  const format = parseFormat(flags.format ?? 'table', ['table', 'json'] as const);
  if (flags.now !== undefined) {
    // Deletion always judges ages by the real clock; a future --now would age every image past minAge.
    throw new CliUsageError(
      '--now is not accepted by apply: deletions are always evaluated at the current time, so minAge and age rules hold. Use plan --now to see what a given date would do. Nothing was deleted.',
    );
  }
  const interactive = io.stdin.isTTY === true;
  if (flags.yes !== true && !interactive) {
    throw new ConfirmationRequiredError(
      'apply deletes images and needs confirmation: pass --yes, or run it in a terminal to be asked. Nothing was deleted.',
    );
  }
  const concurrency = flags.concurrency !== undefined ? parseConcurrency(flags.concurrency) : undefined;
  const maxDurationMs = flags.maxDuration !== undefined ? parseMaxDuration(flags.maxDuration) : undefined;
  const targetConcurrency = flags.targetConcurrency !== undefined ? parseTargetConcurrency(flags.targetConcurrency) : undefined;
  const rulesPath = resolvePath(runtime, flags.rules);
  const ruleSet = await loadRulesFile(rulesPath);
  const prices = await priceTableFor(flags.prices !== undefined ? resolvePath(runtime, flags.prices) : undefined);
  let region: string | null = null;
  const outDir = flags.out !== undefined ? resolvePath(runtime, flags.out) : undefined;
  const store = outDir !== undefined ? localReportStore(outDir) : undefined;

  // A run resumed from --checkpoint keeps the checkpoint's run id instead (the engine decides).
  const runId = newRunId();
  const slack = slackNotifierFor(slackWebhookUrlFor(flags, runtime));
  const clients = awsClientsFor(flags, runtime);
  const ecr = clients.ecr;
  let inUse: SweepDeps['inUse'];
  try {
    // A run over targets builds each target's readers itself.
    if (!ruleSet.targets) inUse = inUseDepsFor(ruleSet, clients, rulesPath);
  } catch (error) {
    clients.destroy();
    throw error;
  }
  const progress = createProgressReporter(io.stderr);
  let declined = false;
  const deps: SweepDeps = {
    registry: ecrRegistry(ecr),
    imageParts,
    ...pullTimeDepsFor(flags, clients.sts, runtime),
    inUse,
    onProgress: (e) => progress.onProgress(e),
    planSink: async (plan: Plan): Promise<PlanVerdict | undefined> => {
      progress.stop();
      // Before the question, so whoever answers has read them.
      io.stderr.write(renderWarnings(plan.warnings));
      // Archiving changes the registry too (pulls of an archived image fail): it is asked for like deleting.
      const scope = applyScope(plan);
      if (flags.yes !== true && (scope.delete > 0 || scope.transition > 0)) {
        // With --format json stdout is reserved for the result document.
        (format === 'json' ? io.stderr : io.stdout).write(renderPlanTable(plan));
        declined = !(await confirm(io.stdin, io.stderr, applyQuestion(scope)));
      }
      // The plan is on disk before the first deletion, as the S3 reports are in Lambda; a declined
      // plan is kept too: it is what the person looked at and said no to.
      if (store !== undefined) await store.writePlan(plan, plan.runId ?? runId);
      return declined ? { execute: false, reason: 'declined at the prompt' } : undefined;
    },
  };
  const checkpointPath = flags.checkpoint !== undefined ? resolvePath(runtime, flags.checkpoint) : undefined;
  if (checkpointPath !== undefined) deps.checkpoint = new FileCheckpointStore(checkpointPath);
  // A run over targets journals each target on its own (lib/cli/targets-run.ts).
  const journal = ruleSet.targets ? undefined : journalFor(outDir, checkpointPath);
  if (journal !== undefined) deps.journal = journal.store;
  const journalPath = journal?.path;

  const interrupts = watchInterrupts(io.stderr, () => progress.stop());
  let result: SweepResult;
  try {
    const options = {
      ruleSet,
      mode: 'apply' as const,
      runId,
      signal: interrupts.signal,
      ...(concurrency !== undefined ? { concurrency } : {}),
      // Counted from the start, listing included; the engine stops between batches, never inside one.
      ...(maxDurationMs !== undefined ? { deadline: Date.now() + maxDurationMs } : {}),
      ...(flags.repository !== undefined ? { repositoryFilter: flags.repository, repositoryFilterLabel: '--repository' } : {}),
      rulesSource: flags.rules,
    };
    if (ruleSet.targets) {
      // One run over every target: each with its own checkpoint and journal (the target in their names).
      ({ result } = await runCliTargets({
        ruleSet,
        rulesPath,
        flags,
        runtime,
        home: clients,
        runId,
        options: { ...options, ...(targetConcurrency !== undefined ? { targetConcurrency } : {}) },
        planSink: deps.planSink!,
        onProgress: (e) => progress.onProgress(e),
        imageParts,
        ...(deps.indexStore ? { indexStore: deps.indexStore } : {}),
        ...(checkpointPath !== undefined ? { checkpointPath } : {}),
        ...(outDir !== undefined ? { outDir } : {}),
      }));
    } else {
      ({ result } = await runSweep(deps, options));
    }
    region = await regionOf(ecr);
  } catch (error) {
    throw explainProfileCredentialsError(error, flags, runtime);
  } finally {
    interrupts.dispose();
    progress.stop();
    clients.destroy();
  }

  if (declined) {
    // The plan table was just shown: the reports of that plan are what is left to give.
    io.stderr.write('Declined at the prompt. Nothing was deleted.\n');
    if (store !== undefined) {
      const { report: written } = await writeRunReports(store, result, { region, prices });
      io.stderr.write(`The plan's reports (plan.json, result.json, result.csv, report.html) were written to ${outDir}: ${written.files.reportHtml}\n`);
    }
    return ExitCode.OK;
  }

  const notes = format === 'table' ? io.stdout : io.stderr;
  if (format === 'json') await writeJson(io.stdout, result);
  else io.stdout.write(renderResultTable(result));

  let reportPath: string | undefined;
  let insights = insightsWithoutStore(result, { region, prices });
  if (store !== undefined) {
    const written = await writeRunReports(store, result, { region, prices });
    reportPath = written.report.files.reportHtml;
    insights = written.insights;
  }
  if (format === 'table') io.stdout.write(renderRuleTotals(result, insights));
  if (reportPath !== undefined) notes.write(`Report: ${reportPath}\n`);
  if (slack !== undefined) await notifySlack(slack, result, reportPath, io.stderr, insights);
  io.stderr.write(renderInUseFailures(result.inUse));
  if (result.interrupted !== undefined) {
    const where = reportPath !== undefined ? `the result is in ${reportPath}` : 'the result is above';
    const resume = checkpointPath !== undefined ? `run again with --checkpoint ${flags.checkpoint} to continue` : 'run again to continue (add --checkpoint FILE to resume instead of starting over)';
    io.stderr.write(
      `ecr-sweeper: interrupted by ${result.interrupted}: stopped between batches after ${result.totals.deleted} deletion(s); ${where}${journalPath !== undefined ? `, the journal in ${journalPath}` : ''}; ${resume}.\n`,
    );
  }
  return applyExitCode(result);
}

/**
 * "Delete N image(s), X, in R repositories?", with the archive transitions when there are some,
 * counting only what this run carries out (not what dry-run policies hold back).
 */
function applyQuestion(scope: ApplyScope): string {
  const repos = (n: number): string => `${n} repositor${n === 1 ? 'y' : 'ies'}`;
  const held = scope.heldBack > 0 ? ` (${scope.heldBack} more planned under dry-run policies are not deleted)` : '';
  const archive = `archive ${scope.transition} image(s) in ${repos(scope.archivingRepositories)} (not deleted; \`ecr-sweeper restore\` brings them back)`;
  if (scope.delete === 0) return `${archive.charAt(0).toUpperCase()}${archive.slice(1)}${held}?`;
  const del = `Delete ${scope.delete} image(s), ${formatBytes(scope.bytesToFree)}, in ${repos(scope.repositories)}`;
  return scope.transition > 0 ? `${del}, and ${archive}${held}?` : `${del}${held}?`;
}
