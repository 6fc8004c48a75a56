/**
 * `ecr-sweeper plan`: a dry run. Lists the governed repositories, plans every image, prints the
 * plan, and deletes nothing whatever the rules' mode says.
 */
import { FileImageParts } from '../../adapters/image-parts-file.js';
import type { ImagePartStore } from '../../engine/types.js';
import { writeJson } from '../write-json.js';
import type { SweepOutput } from '../../engine/types.js';
import { planExitCode, type ExitCodeValue } from '../exit-codes.js';
import { renderInUseFailures } from '../format-in-use.js';
import { renderPlanCsv } from '../format-plan-csv.js';
import { renderPlanTable } from '../format-plan-table.js';
import { renderWarnings } from '../format-warnings.js';
import { loadRulesFile } from '../../adapters/rules-file.js';
import { runSweep } from '../../engine/sweep.js';
import { parseFormat, parseNow, parseTargetConcurrency, type PlanFormat } from '../options.js';
import { runCliTargets } from '../targets-run.js';
import { createProgressReporter } from '../progress.js';
import { insightsWithoutStore, newRunId, notifySlack, priceTableFor, regionOf, slackNotifierFor, writeLocalReports } from '../reports.js';
import { renderRuleTotals } from '../format-rule-totals.js';
import { awsClientsFor, explainProfileCredentialsError, slackWebhookUrlFor, type AwsFlags, type CliRuntime, type SlackFlags } from '../runtime.js';
import { resolvePath } from '../paths.js';
import { pullTimeDepsFor, type IndexStoreFlags } from '../index-store.js';
import { inUseDepsFor } from '../in-use-deps.js';
import { ecrRegistry } from '../../adapters/ecr-registry-connector.js';

/** `plan`'s flags as commander parses them (values still strings). */
export interface PlanFlags extends AwsFlags, SlackFlags, IndexStoreFlags {
  rules: string;
  repository?: string;
  now?: string;
  format?: string;
  out?: string;
  prices?: string;
  targetConcurrency?: string;
}

/** Runs `plan` and returns the exit code: 0, 1 if a repository could not be listed, 3 if an in-use source could not be read. */
export async function planCommand(flags: PlanFlags, runtime: CliRuntime): Promise<ExitCodeValue> {
  // Each repository's images wait on disk between planning, execution and the reports, so memory follows the largest repository, not the registry; removed when the command ends.
  const imageParts = new FileImageParts();
  try {
    return await runPlan(flags, runtime, imageParts);
  } finally {
    imageParts.dispose();
  }
}

async function runPlan(flags: PlanFlags, runtime: CliRuntime, imageParts: ImagePartStore): Promise<ExitCodeValue> {
  const { io } = runtime;
  const format = parseFormat<PlanFormat>(flags.format ?? 'table', ['table', 'json', 'csv']);
  const now = flags.now !== undefined ? parseNow(flags.now) : undefined;
  const targetConcurrency = flags.targetConcurrency !== undefined ? parseTargetConcurrency(flags.targetConcurrency) : undefined;
  const rulesPath = resolvePath(runtime, flags.rules);
  const ruleSet = await loadRulesFile(rulesPath);
  const prices = await priceTableFor(flags.prices !== undefined ? resolvePath(runtime, flags.prices) : undefined);
  let region: string | null = null;

  const slack = slackNotifierFor(slackWebhookUrlFor(flags, runtime));
  const clients = awsClientsFor(flags, runtime);
  const ecr = clients.ecr;
  const pullTimeDeps = pullTimeDepsFor(flags, clients.sts, runtime);
  const progress = createProgressReporter(io.stderr);
  let output: SweepOutput;
  try {
    const options = {
      ruleSet,
      mode: 'dry-run' as const,
      ...(now !== undefined ? { now } : {}),
      ...(flags.repository !== undefined ? { repositoryFilter: flags.repository, repositoryFilterLabel: '--repository' } : {}),
      rulesSource: flags.rules,
      runId: newRunId(),
    };
    if (ruleSet.targets) {
      // The rules name accounts and Regions: one run over every target (docs/cli.md, Targets).
      output = await runCliTargets({
        ruleSet,
        rulesPath,
        flags,
        runtime,
        home: clients,
        runId: options.runId,
        options: { ...options, ...(targetConcurrency !== undefined ? { targetConcurrency } : {}) },
        onProgress: (e) => progress.onProgress(e),
        imageParts,
        ...(pullTimeDeps.indexStore ? { indexStore: pullTimeDeps.indexStore } : {}),
      });
    } else {
      const inUse = inUseDepsFor(ruleSet, clients, rulesPath);
      output = await runSweep({ registry: ecrRegistry(ecr), imageParts, onProgress: (e) => progress.onProgress(e), ...pullTimeDeps, inUse }, options);
    }
    region = await regionOf(ecr);
  } catch (error) {
    throw explainProfileCredentialsError(error, flags, runtime);
  } finally {
    progress.stop();
    clients.destroy();
  }
  const { plan, result } = output;

  // Only the requested document goes to stdout in json/csv, so it can be piped; notes go to stderr.
  const notes = format === 'table' ? io.stdout : io.stderr;
  if (format === 'json') await writeJson(io.stdout, plan);
  else if (format === 'csv') io.stdout.write(renderPlanCsv(plan));
  else io.stdout.write(renderPlanTable(plan));
  io.stderr.write(renderWarnings(plan.warnings));
  // Whatever the format: a plan that could not see what runs must not look like a good one.
  io.stderr.write(renderInUseFailures(plan.inUse));

  let reportPath: string | undefined;
  let insights = insightsWithoutStore(result, { region, prices });
  if (flags.out !== undefined) {
    ({ reportPath, insights } = await writeLocalReports(resolvePath(runtime, flags.out), plan, result, { region, prices }));
  }
  if (format === 'table') io.stdout.write(renderRuleTotals(result, insights));
  if (reportPath !== undefined) notes.write(`Report: ${reportPath}\n`);
  if (slack !== undefined) await notifySlack(slack, result, reportPath, io.stderr, insights);

  return planExitCode(result);
}
