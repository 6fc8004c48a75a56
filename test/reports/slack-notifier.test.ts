import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../lib/errors.js';
import { SlackNotifier } from '../../lib/adapters/slack-notifier.js';
import type { SweepLogger } from '../../lib/engine/types.js';
import { buildSampleResult } from '../fixtures/sample-result.js';
import { closedPort, startHttpReceiver, type HttpReceiver } from './helpers/http-receiver.js';

const SECRET_PATH = '/services/T0SECRET1/B0SECRET2/xoxSecretToken1234567890';

/** A logger that keeps every line, to prove the webhook URL never reaches a log. */
function recordingLogger(): SweepLogger & { lines: string[] } {
  const lines: string[] = [];
  const record = (level: string) => (message: string, ...extra: unknown[]) => {
    lines.push(`${level} ${message} ${JSON.stringify(extra)}`);
  };
  return { lines, debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') };
}

function assertNoSecret(text: string): void {
  expect(text).not.toContain('T0SECRET1');
  expect(text).not.toContain('B0SECRET2');
  expect(text).not.toContain('xoxSecretToken1234567890');
}

describe('SlackNotifier', () => {
  let receiver: HttpReceiver;
  beforeAll(async () => {
    receiver = await startHttpReceiver();
  });
  afterAll(async () => {
    await receiver.stop();
  });
  afterEach(() => {
    receiver.requests.length = 0;
    receiver.respondWith(() => ({ status: 200, body: 'ok' }));
  });

  it('posts one Block Kit message with a fallback text and the report link', async () => {
    const logger = recordingLogger();
    const notifier = new SlackNotifier(receiver.url(SECRET_PATH), { logger });
    const result = buildSampleResult();

    const outcome = await notifier.notify(result, 'https://reports.example/run/report.html?X-Amz-Signature=abc');

    expect(outcome).toEqual({ ok: true, attempts: 1 });
    expect(notifier.stats).toEqual({ sent: 1, failed: 0 });
    expect(receiver.requests).toHaveLength(1);
    const request = receiver.requests[0]!;
    expect(request.method).toBe('POST');
    expect(request.path).toBe(SECRET_PATH);
    expect(request.headers['content-type']).toBe('application/json');
    const payload = JSON.parse(request.body) as { text: string; blocks: Array<{ type: string; elements?: Array<{ url?: string }> }> };
    expect(payload.text).toContain('25 images deleted');
    expect(payload.blocks[0]?.type).toBe('header');
    const actions = payload.blocks.find((b) => b.type === 'actions');
    expect(actions?.elements?.[0]?.url).toBe('https://reports.example/run/report.html?X-Amz-Signature=abc');
    assertNoSecret(logger.lines.join('\n'));
  });

  it('shows a local report path as a location, not as a button', async () => {
    const notifier = new SlackNotifier(receiver.url(SECRET_PATH));
    await notifier.notify(buildSampleResult(), 'file:///tmp/reports/report.html');
    const payload = JSON.parse(receiver.requests[0]!.body) as { blocks: Array<{ type: string; text?: { text: string } }> };
    expect(payload.blocks.some((b) => b.type === 'actions')).toBe(false);
    expect(payload.blocks.some((b) => b.text?.text.includes('file:///tmp/reports/report.html'))).toBe(true);
  });

  it('returns ok: false on a 500 after retrying, without throwing or leaking the URL', async () => {
    receiver.respondWith(() => ({ status: 500, body: `internal error at ${SECRET_PATH}` }));
    const logger = recordingLogger();
    const notifier = new SlackNotifier(receiver.url(SECRET_PATH), { retries: 2, retryDelayMs: 1, logger });

    const outcome = await notifier.notify(buildSampleResult(), null);

    expect(outcome.ok).toBe(false);
    expect(outcome).toMatchObject({ statusCode: 500, attempts: 3 });
    expect(receiver.requests).toHaveLength(3);
    expect(notifier.stats).toEqual({ sent: 0, failed: 1 });
    const error = outcome.ok ? '' : outcome.error;
    expect(error).toContain('statusCode = 500');
    expect(error).toContain('[redacted webhook URL]');
    assertNoSecret(error);
    expect(logger.lines.some((l) => l.startsWith('warn slack notification failed'))).toBe(true);
    assertNoSecret(logger.lines.join('\n'));
  });

  it('does not retry a 4xx (Slack rejected the payload or the webhook is revoked)', async () => {
    receiver.respondWith(() => ({ status: 404, body: 'no_service' }));
    const notifier = new SlackNotifier(receiver.url(SECRET_PATH), { retries: 3, retryDelayMs: 1 });

    const outcome = await notifier.notify(buildSampleResult(), null);

    expect(outcome).toMatchObject({ ok: false, statusCode: 404, attempts: 1 });
    expect(outcome.ok ? '' : outcome.error).toContain('no_service');
    expect(receiver.requests).toHaveLength(1);
  });

  it('succeeds when a retry gets through after a 503', async () => {
    receiver.respondWith((_request, index) => (index === 0 ? { status: 503, body: 'busy' } : { status: 200, body: 'ok' }));
    const notifier = new SlackNotifier(receiver.url(SECRET_PATH), { retries: 2, retryDelayMs: 1 });

    await expect(notifier.notify(buildSampleResult(), null)).resolves.toEqual({ ok: true, attempts: 2 });
    expect(notifier.stats).toEqual({ sent: 1, failed: 0 });
  });

  it('gives up on a webhook that never answers, within its timeout, without throwing', async () => {
    receiver.respondWith(() => 'hang');
    const notifier = new SlackNotifier(receiver.url(SECRET_PATH), { retries: 0, timeoutMs: 200 });

    const outcome = await notifier.notify(buildSampleResult({ mode: 'dry-run' }), null);

    expect(outcome.ok).toBe(false);
    expect(outcome.ok ? '' : outcome.error).toMatch(/timeout|aborted/i);
    assertNoSecret(outcome.ok ? '' : outcome.error);
  });

  it('returns ok: false when the connection is refused, and counts each failure', async () => {
    const port = await closedPort();
    const logger = recordingLogger();
    const notifier = new SlackNotifier(`http://127.0.0.1:${port}${SECRET_PATH}`, { retries: 1, retryDelayMs: 1, logger });

    const first = await notifier.notify(buildSampleResult(), null);
    const second = await notifier.notify(buildSampleResult(), null);

    expect(first.ok).toBe(false);
    expect(second).toMatchObject({ ok: false, attempts: 2 });
    expect(notifier.stats).toEqual({ sent: 0, failed: 2 });
    expect(first.ok ? '' : first.error).toMatch(/ECONNREFUSED|fetch failed/);
    assertNoSecret(JSON.stringify([first, second]));
    assertNoSecret(logger.lines.join('\n'));
  });

  it.each([
    ['', /empty/],
    ['not a url T0SECRET1', /not a valid URL/],
    [`http://hooks.slack.example${SECRET_PATH}`, /must use https/],
    [`ftp://127.0.0.1${SECRET_PATH}`, /must use https/],
  ])('rejects the webhook URL %# with a ConfigError that does not quote it', (url, message) => {
    let error: unknown;
    try {
      new SlackNotifier(url);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(message);
    assertNoSecret(`${(error as Error).message} ${String((error as Error).cause)}`);
  });

  it('redacts the URL, its path and its token wherever they appear', () => {
    const url = `https://hooks.slack.com${SECRET_PATH}`;
    const notifier = new SlackNotifier(url);
    const text = notifier.redact(`posting to ${url} failed; path ${SECRET_PATH}; token xoxSecretToken1234567890`);
    assertNoSecret(text);
    expect(text).toContain('posting to [redacted webhook URL] failed');
  });
});
