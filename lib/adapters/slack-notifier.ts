/**
 * Posts the sweep summary to a Slack incoming webhook. A Slack outage, a timeout or a 4xx/5xx
 * never throws and never touches the report: the outcome is returned, logged and counted. The
 * webhook URL is a secret (whoever has it can post to the channel), so it never appears in an
 * error, a log line or a report.
 */
import { IncomingWebhook, IncomingWebhookHTTPError } from '@slack/webhook';
import { ConfigError } from '../errors.js';
import type { SweepResult } from '../core/result-model.js';
import type { ReportInsights } from '../core/report-insights.js';
import { buildSlackMessage, type SlackMessage, type SlackMessageOptions } from '../core/report-slack.js';
import type { SweepLogger } from '../engine/types.js';

/** What one notification did. `error` is already redacted. */
export type NotifyOutcome = { ok: true; attempts: number } | { ok: false; error: string; statusCode?: number; attempts: number };

export interface SlackNotifierOptions {
  /** Per-attempt timeout in milliseconds. Default 5000. */
  timeoutMs?: number;
  /** Extra attempts after a network error or a 5xx (a 4xx is never retried). Default 2. */
  retries?: number;
  /** First retry delay in milliseconds, doubled each time. Default 300. */
  retryDelayMs?: number;
  /** Options for the message (how many repositories and failures to list). */
  message?: Omit<SlackMessageOptions, 'reportUrl' | 'reportLocation'>;
  logger?: SweepLogger;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);
const REDACTED = '[redacted webhook URL]';

/** Sends sweep summaries to one Slack incoming webhook. */
export class SlackNotifier {
  /** Notifications delivered and notifications that failed since construction. */
  readonly stats = { sent: 0, failed: 0 };
  private readonly url: string;
  private readonly timeoutMs: number;
  private readonly retryDelayMs: number;
  private readonly secrets: string[];
  private readonly retries: number;
  private readonly logger: SweepLogger | undefined;
  private readonly messageOptions: SlackNotifierOptions['message'];

  /**
   * @param webhookUrl - the incoming webhook URL; https, or http only on a loopback address (tests).
   * @throws ConfigError when the URL is missing or unusable; the message never contains the URL.
   */
  constructor(webhookUrl: string, options: SlackNotifierOptions = {}) {
    const url = parseWebhookUrl(webhookUrl);
    this.secrets = secretFragments(webhookUrl, url);
    this.retries = Math.max(0, Math.floor(options.retries ?? 2));
    this.logger = options.logger;
    this.messageOptions = options.message;
    this.url = url.href;
    this.timeoutMs = Math.max(1, Math.floor(options.timeoutMs ?? 5000));
    this.retryDelayMs = Math.max(0, options.retryDelayMs ?? 300);
  }

  /**
   * Posts the summary of `result` with a link to its report. Never throws.
   * A `reportUrl` that is not http(s) (a local file) is shown as a location instead of a button.
   */
  async notify(result: SweepResult, reportUrl?: string | null, insights?: ReportInsights): Promise<NotifyOutcome> {
    let message: SlackMessage;
    try {
      const isLink = typeof reportUrl === 'string' && /^https?:\/\//i.test(reportUrl);
      message = buildSlackMessage(result, {
        ...this.messageOptions,
        reportUrl: isLink ? reportUrl : null,
        ...(reportUrl && !isLink ? { reportLocation: reportUrl } : {}),
        ...(insights ? { insights } : {}),
      });
    } catch (error) {
      return this.fail(`could not build the Slack message: ${errorText(error)}`, 0);
    }
    return this.send(message, result.runId);
  }

  /** Posts a prepared message. Never throws. */
  async send(message: SlackMessage, runId?: string): Promise<NotifyOutcome> {
    let attempts = 0;
    // One webhook per message: its fetch counts this message's attempts only.
    const webhook = new IncomingWebhook(this.url, {
      timeout: this.timeoutMs,
      retryConfig: { retries: this.retries, minTimeout: this.retryDelayMs, maxTimeout: this.retryDelayMs * 8, factor: 2, randomize: false },
      fetch: ((input: string | URL, init?: RequestInit) => {
        attempts += 1;
        return globalThis.fetch(input, init);
      }) as never,
    });
    try {
      await webhook.send({ text: message.text, blocks: message.blocks as never, unfurl_links: false, unfurl_media: false });
      this.stats.sent += 1;
      this.logger?.info('slack notification sent', { runId });
      return { ok: true, attempts: Math.max(1, attempts) };
    } catch (error) {
      const statusCode = error instanceof IncomingWebhookHTTPError ? error.statusCode : undefined;
      const body = error instanceof IncomingWebhookHTTPError && error.body ? ` (${error.body.slice(0, 200)})` : '';
      return this.fail(`Slack webhook failed: ${errorText(error)}${body}`, Math.max(1, attempts), statusCode, runId);
    }
  }

  /** Removes every trace of the webhook URL from a text. */
  redact(text: string): string {
    let out = text;
    for (const secret of this.secrets) out = out.split(secret).join(REDACTED);
    return out;
  }

  private fail(message: string, attempts: number, statusCode?: number, runId?: string): NotifyOutcome {
    const error = this.redact(message);
    this.stats.failed += 1;
    this.logger?.warn('slack notification failed; the report is unaffected', { runId, error, statusCode, attempts });
    return statusCode === undefined ? { ok: false, error, attempts } : { ok: false, error, statusCode, attempts };
  }
}

function parseWebhookUrl(raw: string): URL {
  if (typeof raw !== 'string' || raw.trim() === '') throw new ConfigError('Slack webhook URL is empty');
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch (error) {
    throw new ConfigError('Slack webhook URL is not a valid URL (value not shown: it is a secret)', { cause: redactCause(error) });
  }
  const loopback = LOOPBACK_HOSTS.has(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new ConfigError(`Slack webhook URL must use https (got ${url.protocol.replace(':', '')}; value not shown: it is a secret)`);
  }
  return url;
}

/** Parts of the URL that would reveal the secret: the whole URL and its path, and each long path segment. */
function secretFragments(raw: string, url: URL): string[] {
  const fragments = new Set<string>([raw, raw.trim(), url.href, `${url.host}${url.pathname}`]);
  if (url.pathname.length > 1) fragments.add(url.pathname);
  for (const segment of url.pathname.split('/')) if (segment.length >= 8) fragments.add(segment);
  if (url.search.length > 1) fragments.add(url.search);
  // Longest first, so a whole URL is replaced before its pieces.
  return [...fragments].filter((f) => f.length > 0).sort((a, b) => b.length - a.length);
}

function redactCause(error: unknown): Error {
  // URL parse errors quote the input; keep only the error's kind.
  return new Error(error instanceof Error ? error.name : 'invalid URL');
}

function errorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error && error.cause.message && !error.message.includes(error.cause.message) ? `: ${error.cause.message}` : '';
  const inner = error.cause instanceof Error && error.cause.cause instanceof Error ? ` (${error.cause.cause.message})` : '';
  return `${error.message}${cause}${inner}`;
}
