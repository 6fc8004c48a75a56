/**
 * `--out DIR` and Slack: publishing a finished run the same way the Lambda does, but to a local
 * directory. A Slack failure is reported on stderr and never changes the exit code.
 */
import { randomBytes } from 'node:crypto';
import type { Plan } from '../core/plan-model.js';
import type { SweepResult } from '../core/result-model.js';
import { LocalReportStore, SlackNotifier } from './deps.js';
import type { OutStream } from './io.js';

/** Writes plan.json, result.json, result.csv and report.html under `dir`; returns the HTML path. */
export async function writeLocalReports(dir: string, plan: Plan, result: SweepResult): Promise<string> {
  const store = new LocalReportStore(dir);
  await store.writePlan(plan, result.runId, new Date(result.startedAt));
  return store.writeResult(result);
}

/**
 * Sends the run summary to Slack. The webhook URL is a secret: it is never printed, and the
 * notifier redacts it from its errors.
 */
export async function notifySlack(
  webhookUrl: string,
  result: SweepResult,
  reportLocation: string | undefined,
  stderr: OutStream,
): Promise<void> {
  const notifier = new SlackNotifier(webhookUrl);
  const outcome = await notifier.notify(result, reportLocation);
  if (outcome.ok) stderr.write('Slack summary sent.\n');
  else stderr.write(`warning: the Slack summary could not be sent (${outcome.error}); the run itself is unaffected.\n`);
}

/** A run id that sorts by time and is unique enough for one operator: `20261127T120000Z-3f9a1c`. */
export function newRunId(now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '');
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}
