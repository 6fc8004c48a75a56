/**
 * `--out DIR` and Slack: publishing a finished run the same way the Lambda does, but to a local
 * directory. A Slack failure is reported on stderr and never changes the exit code.
 */
import type { Plan } from '../core/plan-model.js';
import type { SweepResult } from '../core/result-model.js';
import { LocalReportStore } from '../adapters/report-store-local.js';
import { SlackNotifier } from '../adapters/slack-notifier.js';
import type { OutStream } from './io.js';

/**
 * The store behind `--out DIR`: the files go straight into DIR (the user named the place), not
 * into the dated sub-folders the S3 layout uses.
 */
export function localReportStore(dir: string): LocalReportStore {
  return new LocalReportStore(dir, { layout: 'flat' });
}

/** Writes plan.json, result.json, result.csv and report.html into `dir`; returns the HTML path. */
export async function writeLocalReports(dir: string, plan: Plan, result: SweepResult): Promise<string> {
  const store = localReportStore(dir);
  await store.writePlan(plan, result.runId);
  const written = await store.writeResult(result);
  return written.files.reportHtml;
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
): Promise<void> {
  const outcome = await notifier.notify(result, reportLocation ?? null);
  if (outcome.ok) stderr.write('Slack summary sent.\n');
  else stderr.write(`warning: the Slack summary could not be sent (${outcome.error}); the run itself is unaffected.\n`);
}

/** The run id format the Lambda functions use too (`lib/run-id.ts`). */
export { newRunId } from '../run-id.js';
