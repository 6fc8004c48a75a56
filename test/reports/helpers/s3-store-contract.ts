/**
 * The S3 report store's behaviour, as a suite any S3 endpoint can be run against (s3rver in the
 * unit suite, moto in the interop suite), always through the real @aws-sdk/client-s3 over HTTP.
 */
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3ReportStore } from '../../../lib/adapters/report-store-s3.js';
import { ReportWriteError, planSinkFor, publishReports, writeRunReports } from '../../../lib/adapters/report-store.js';
import { parseHistory } from '../../../lib/core/report-history.js';
import { SlackNotifier } from '../../../lib/adapters/slack-notifier.js';
import { renderReportHtml } from '../../../lib/core/report-html.js';
import { buildSamplePlan, buildSampleResult } from '../../fixtures/sample-result.js';
import { closedPort } from './http-receiver.js';

export interface S3Endpoint {
  client: S3Client;
  /** A bucket that exists and is empty. */
  bucket: string;
  stop(): Promise<void>;
}

/** Registers the S3 report store suite against the endpoint `start` provides. */
export function describeS3ReportStore(name: string, start: () => Promise<S3Endpoint>): void {
  describe(`S3ReportStore against ${name}`, () => {
    let s3: S3Endpoint;
    beforeAll(async () => {
      s3 = await start();
    });
    afterAll(async () => {
      await s3?.stop();
    });

    async function text(key: string): Promise<string> {
      const object = await s3.client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }));
      return (await object.Body?.transformToString('utf-8')) ?? '';
    }
    async function keys(prefix: string): Promise<string[]> {
      const listed = await s3.client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: prefix }));
      return (listed.Contents ?? []).map((o) => o.Key ?? '').sort();
    }

    it('writes plan.json under <prefix>/<yyyy-mm-dd>/<run-id>/ with a JSON content type', async () => {
      const store = new S3ReportStore(s3.client, { bucket: s3.bucket, prefix: 'plan-test/' });
      const plan = buildSamplePlan();
      const uri = await store.writePlan(plan, 'run-a', '2026-11-27T23:59:59.000Z');

      expect(uri).toBe(`s3://${s3.bucket}/plan-test/2026-11-27/run-a/plan.json`);
      expect(JSON.parse(await text('plan-test/2026-11-27/run-a/plan.json'))).toEqual(plan);
      const head = await s3.client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: 'plan-test/2026-11-27/run-a/plan.json' }));
      expect(head.ContentType).toBe('application/json; charset=utf-8');
    });

    it('writes result.json, result.csv and report.html next to the plan, each with its content type', async () => {
      const store = new S3ReportStore(s3.client, { bucket: s3.bucket, prefix: 'audit' });
      const result = buildSampleResult({ runId: 'run-b', now: '2026-11-28T00:00:05.000Z' });
      // The plan was written the evening before; the result must land in the same folder.
      await store.writePlan(buildSamplePlan({ runId: 'run-b' }), 'run-b', '2026-11-27T23:59:58.000Z');
      const written = await store.writeResult(result);

      expect(written.folder).toBe(`s3://${s3.bucket}/audit/2026-11-27/run-b`);
      expect(await keys('audit/')).toEqual([
        'audit/2026-11-27/run-b/plan.json',
        'audit/2026-11-27/run-b/report.html',
        'audit/2026-11-27/run-b/result.csv',
        'audit/2026-11-27/run-b/result.json',
      ]);
      expect(JSON.parse(await text('audit/2026-11-27/run-b/result.json'))).toEqual(result);
      const csv = await text('audit/2026-11-27/run-b/result.csv');
      expect(csv.split('\r\n').filter(Boolean)).toHaveLength(result.totals.images + 1);
      const types = await Promise.all(
        ['result.json', 'result.csv', 'report.html'].map(async (file) => {
          const head = await s3.client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: `audit/2026-11-27/run-b/${file}` }));
          return head.ContentType;
        }),
      );
      expect(types).toEqual(['application/json; charset=utf-8', 'text/csv; charset=utf-8', 'text/html; charset=utf-8']);
    });

    it('hands out a presigned URL that serves the HTML report over plain HTTP', async () => {
      const store = new S3ReportStore(s3.client, { bucket: s3.bucket, prefix: 'links', urlExpiresInSeconds: 900 });
      const result = buildSampleResult({ runId: 'run-c', mode: 'dry-run' });
      const written = await store.writeResult(result);

      const url = new URL(written.reportUrl);
      expect(url.searchParams.get('X-Amz-Expires')).toBe('900');
      const response = await fetch(written.reportUrl);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
      const body = await response.text();
      expect(body).toBe(renderReportHtml(result));
      expect(body).toContain('DRY RUN — nothing was deleted.');
      // A later call signs the same object again.
      expect(new URL(await store.reportUrl()).pathname).toBe(url.pathname);
      expect(new URL(await store.reportUrl({ runId: 'run-c', date: result.now })).pathname).toBe(url.pathname);
    });

    it('throws ReportWriteError naming the object when the bucket does not exist', async () => {
      const store = new S3ReportStore(s3.client, { bucket: 'no-such-bucket-ecr-sweeper', prefix: 'p' });
      const error = await store.writePlan(buildSamplePlan(), 'run-d').catch((e: unknown) => e);

      expect(error).toBeInstanceOf(ReportWriteError);
      expect((error as ReportWriteError).location).toBe('s3://no-such-bucket-ecr-sweeper/p/2026-11-27/run-d/plan.json');
      expect((error as Error).message).toContain('could not write plan.json to s3://no-such-bucket-ecr-sweeper/p/2026-11-27/run-d/plan.json');
      expect((error as Error).cause).toBeInstanceOf(Error);
    });

    it('refuses a run id that could escape its folder and writes nothing', async () => {
      const store = new S3ReportStore(s3.client, { bucket: s3.bucket, prefix: 'escape' });
      await expect(store.writePlan(buildSamplePlan(), '../other')).rejects.toThrow(ReportWriteError);
      await expect(store.writeResult(buildSampleResult({ runId: 'a/b' }))).rejects.toThrow(/run id "a\/b"/);
      expect(await keys('escape/')).toEqual([]);
    });

    it('keeps the run history under <prefix>/history/: empty before the first run, then one summary per run and the last decisions for the diff', async () => {
      const store = new S3ReportStore(s3.client, { bucket: s3.bucket, prefix: 'trend' });
      // A store never written reads as empty, not as an error.
      expect(await store.readHistory()).toEqual({ runs: [], previous: null });
      const first = await writeRunReports(store, buildSampleResult({ mode: 'dry-run', runId: 'run-h1' }), { region: 'us-east-1' });
      expect(first.insights.changes).toBeNull();
      const later = buildSampleResult({ mode: 'dry-run', runId: 'run-h2', now: '2026-12-04T06:00:00.000Z' });
      const flipped = later.repositories.flatMap((r) => r.images).find((i) => i.decision === 'keep')!;
      flipped.decision = 'delete';
      const second = await writeRunReports(store, later, { region: 'us-east-1' });

      expect(second.insights.history!.map((h) => h.runId)).toEqual(['run-h1', 'run-h2']);
      expect(second.insights.changes!.images.map((c) => c.imageDigest)).toEqual([flipped.imageDigest]);
      expect(parseHistory(await text('trend/history/runs.jsonl')).runs.map((h) => h.runId)).toEqual(['run-h1', 'run-h2']);
      expect(JSON.parse(await text('trend/history/decisions.json'))).toMatchObject({ runId: 'run-h2' });
      const head = await s3.client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: 'trend/history/runs.jsonl' }));
      expect(head.ContentType).toBe('application/x-ndjson; charset=utf-8');
      expect(await text('trend/2026-12-04/run-h2/report.html')).toContain('id="trend-size"');
    });

    it('publishes the report even when Slack is unreachable, and reports the Slack failure', async () => {
      const store = new S3ReportStore(s3.client, { bucket: s3.bucket, prefix: 'publish' });
      const port = await closedPort();
      const notifier = new SlackNotifier(`http://127.0.0.1:${port}/services/T000/B000/secretsecretsecret`, { retries: 0, timeoutMs: 2000 });
      const result = buildSampleResult({ runId: 'run-e' });
      await planSinkFor(store, 'run-e')(buildSamplePlan());

      const outcome = await publishReports(store, result, { notifier });

      expect(outcome.slack?.ok).toBe(false);
      expect(notifier.stats).toEqual({ sent: 0, failed: 1 });
      expect(await keys('publish/')).toEqual([
        'publish/2026-11-27/run-e/plan.json',
        'publish/2026-11-27/run-e/report.html',
        'publish/2026-11-27/run-e/result.csv',
        'publish/2026-11-27/run-e/result.json',
        // The run history, beside the dated folders: the next run's trend and diff.
        'publish/history/decisions.json',
        'publish/history/runs.jsonl',
      ]);
    });
  });
}
