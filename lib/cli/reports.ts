/**
 * `--out DIR` and Slack: publishing a finished run the same way the Lambda does, but to a local
 * directory. A Slack failure is reported on stderr and never changes the exit code.
 */
import type { Plan } from '../core/plan-model.js';
import type { SweepResult } from '../core/result-model.js';
import { readFile } from 'node:fs/promises';
import { LocalReportStore } from '../adapters/report-store-local.js';
import { writeRunReports, type PricingOptions } from '../adapters/report-store.js';
import { ECR_PRICES, parsePriceOverride, PriceTableError, type PriceTable } from '../core/ecr-prices.js';
import { buildInsights, type ReportInsights } from '../core/report-insights.js';
import type { ECRClient } from '@aws-sdk/client-ecr';
import { SlackNotifier } from '../adapters/slack-notifier.js';
import type { OutStream } from './io.js';

/**
 * The store behind `--out DIR`: the files go straight into DIR (the user named the place), not
 * into the dated sub-folders the S3 layout uses.
 */
export function localReportStore(dir: string): LocalReportStore {
  return new LocalReportStore(dir, { layout: 'flat' });
}

/**
 * Writes plan.json, result.json, result.csv and report.html into `dir`, and appends the run to
 * `dir/history/`; returns the HTML path and the insights (money, trend, diff) the reports show.
 */
export async function writeLocalReports(dir: string, plan: Plan, result: SweepResult, pricing: PricingOptions = {}): Promise<{ reportPath: string; insights: ReportInsights }> {
  const store = localReportStore(dir);
  await store.writePlan(plan, result.runId);
  const { report, insights } = await writeRunReports(store, result, pricing);
  return { reportPath: report.files.reportHtml, insights };
}

/** The insights of a run whose reports are not written (no `--out`): the money only, no trend or diff. */
export function insightsWithoutStore(result: SweepResult, pricing: PricingOptions): ReportInsights {
  return buildInsights({ result, region: pricing.region ?? null, prices: pricing.prices ?? ECR_PRICES, stored: null, runs: null });
}

/**
 * The price table: the built-in one, or `--prices FILE` laid over it.
 * @throws PriceTableError (a ConfigError: exit 2, before anything runs) naming the file and the problem.
 */
export async function priceTableFor(file: string | undefined): Promise<PriceTable> {
  if (file === undefined) return ECR_PRICES;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new PriceTableError(`--prices ${file}: cannot read the file (${error instanceof Error ? error.message : String(error)})`, { cause: error });
  }
  return parsePriceOverride(text, `--prices ${file}`);
}

/** The Region the ECR client talks to, for the money figures; null when it cannot be told. */
export async function regionOf(ecr: ECRClient): Promise<string | null> {
  try {
    return await ecr.config.region();
  } catch {
    return null;
  }
}

/**
 * The Slack notifier for `--slack-webhook-url` / `ECR_SWEEPER_SLACK_WEBHOOK_URL`, built before the
 * sweep so a malformed URL is a usage error (exit 2) before anything is deleted, not after.
 */
export function slackNotifierFor(webhookUrl: string | undefined): SlackNotifier | undefined {
  return webhookUrl === undefined ? undefined : new SlackNotifier(webhookUrl);
}

/**
 * Sends the run summary to Slack. The webhook URL is a secret: it is never printed, and the
 * notifier redacts it from its errors. A failure is a warning; it never changes the exit code.
 */
export async function notifySlack(
  notifier: SlackNotifier,
  result: SweepResult,
  reportLocation: string | undefined,
  stderr: OutStream,
  insights?: ReportInsights,
): Promise<void> {
  const outcome = await notifier.notify(result, reportLocation ?? null, insights);
  if (outcome.ok) stderr.write('Slack summary sent.\n');
  else stderr.write(`warning: the Slack summary could not be sent (${outcome.error}); the run itself is unaffected.\n`);
}

/** The run id format the Lambda functions use too (`lib/run-id.ts`). */
export { newRunId } from '../run-id.js';
