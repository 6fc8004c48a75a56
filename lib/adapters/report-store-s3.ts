/**
 * Report store on S3: the plan before deletion, the result files after, and a presigned link to
 * the HTML report for Slack. The S3 client is injected so the endpoint (AWS, s3rver, moto) and the
 * credentials are the caller's choice. Each file is uploaded from the same pieces the local store
 * writes (multipart when it is larger than a part), so a large run is never one string in memory.
 */
import { GetObjectCommand, NoSuchKey, type S3Client, type ServerSideEncryption } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { ConfigError } from '../errors.js';
import type { Plan } from '../core/plan-model.js';
import type { SweepResult } from '../core/result-model.js';
import { jsonLinePieces, planFileChunks, resultFiles, type ResultFileKind } from '../core/report-files.js';
import type { ReportHtmlOptions } from '../core/report-html.js';
import { HISTORY_FILES, REPORT_FILES, joinKey, reportFolder, reportFolderProblem, type ReportFileKind } from '../core/report-layout.js';
import { historyToJsonLines, parseDecisionDigest, parseHistory, type DecisionDigest, type RunHistoryEntry } from '../core/report-history.js';
import type { ReportInsights, StoredHistory } from '../core/report-insights.js';
import { ReportReadError, ReportWriteError, type ReportStore, type WrittenReport } from './report-store.js';
import { uploadPieces } from './s3-upload.js';

/** SigV4 presigned URLs cannot live longer than seven days. */
export const MAX_URL_EXPIRY_SECONDS = 7 * 24 * 3600;

export interface S3ReportStoreOptions {
  bucket: string;
  /** Key prefix; default `ecr-sweeper`. An empty string writes at the bucket root. */
  prefix?: string;
  /** Lifetime of the presigned report link, 1 s to 7 days. Default 7 days. */
  urlExpiresInSeconds?: number;
  /**
   * `x-amz-server-side-encryption` sent with every object (with the CreateMultipartUpload of a
   * large one); null sends none. Default `AES256`.
   */
  serverSideEncryption?: ServerSideEncryption | null;
  /** KMS key for `aws:kms` encryption; default the bucket's or the AWS managed key. */
  kmsKeyId?: string;
  /** Passed to the HTML renderer. */
  html?: ReportHtmlOptions;
}

/** Writes a run's reports under `s3://<bucket>/<prefix>/<yyyy-mm-dd>/<run-id>/`. */
export class S3ReportStore implements ReportStore {
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly expiresIn: number;
  private readonly sse: ServerSideEncryption | null;
  private readonly kmsKeyId: string | undefined;
  private readonly htmlOptions: ReportHtmlOptions;
  /** run id → folder its plan went to, so the result lands next to it whatever the date. */
  private readonly folders = new Map<string, string>();
  private lastHtmlKey: string | null = null;

  /**
   * @param client - an S3 client configured for the target endpoint (use `forcePathStyle` for local servers).
   * @throws ConfigError when the bucket is empty or the expiry is out of range.
   */
  constructor(
    private readonly client: S3Client,
    options: S3ReportStoreOptions,
  ) {
    if (!options.bucket || !options.bucket.trim()) throw new ConfigError('S3ReportStore: bucket is required');
    const expiresIn = options.urlExpiresInSeconds ?? MAX_URL_EXPIRY_SECONDS;
    if (!Number.isInteger(expiresIn) || expiresIn < 1 || expiresIn > MAX_URL_EXPIRY_SECONDS) {
      throw new ConfigError(`S3ReportStore: urlExpiresInSeconds must be an integer from 1 to ${MAX_URL_EXPIRY_SECONDS} (7 days), got ${String(expiresIn)}`);
    }
    this.bucket = options.bucket;
    this.prefix = options.prefix ?? 'ecr-sweeper';
    this.expiresIn = expiresIn;
    this.sse = options.serverSideEncryption === undefined ? 'AES256' : options.serverSideEncryption;
    this.kmsKeyId = options.kmsKeyId;
    this.htmlOptions = options.html ?? {};
  }

  /** Writes `plan.json`; see {@link ReportStore.writePlan}. */
  async writePlan(plan: Plan, runId: string, date: string | Date = plan.now): Promise<string> {
    const folder = this.folderFor(runId, date, 'plan.json');
    const uri = await this.put(folder, 'plan', planFileChunks(plan));
    this.folders.set(runId, folder);
    return uri;
  }

  /** Writes `result.json`, `result.csv` and `report.html`; see {@link ReportStore.writeResult}. */
  async writeResult(result: SweepResult, date: string | Date = result.now, insights?: ReportInsights): Promise<WrittenReport> {
    const folder = this.folders.get(result.runId) ?? this.folderFor(result.runId, date, 'the result files');
    // One file at a time, each streamed from its pieces: a large run's result.json is hundreds of
    // MiB, which as one string (plus its bytes) was what set the Lambda's peak memory.
    const uris: (readonly [ResultFileKind, string])[] = [];
    for (const file of resultFiles(result, this.htmlOptions, insights)) {
      uris.push([file.kind, await this.put(folder, file.kind, file.chunks())]);
    }
    const files = Object.fromEntries(uris) as Record<ResultFileKind, string>;
    const htmlKey = this.key(folder, 'reportHtml');
    this.lastHtmlKey = htmlKey;
    return {
      folder: `s3://${this.bucket}/${joinKey(this.prefix, folder)}`,
      files,
      reportUrl: await this.presign(htmlKey),
    };
  }

  /**
   * Reads `<prefix>/history/runs.jsonl` and `decisions.json`; see {@link ReportStore.readHistory}.
   * S3 cannot append, so the history is one object rewritten by each run (read, append, put): two
   * runs finishing at the same moment may lose one of their entries, never the report.
   */
  async readHistory(): Promise<StoredHistory> {
    const runsText = await this.getOptional(HISTORY_FILES.runs.name);
    const decisionsText = await this.getOptional(HISTORY_FILES.decisions.name);
    return { runs: runsText === null ? [] : parseHistory(runsText).runs, previous: decisionsText === null ? null : parseDecisionDigest(decisionsText) };
  }

  /** Rewrites the history objects; see {@link ReportStore.writeHistory}. */
  async writeHistory(runs: readonly RunHistoryEntry[], decisions: DecisionDigest): Promise<void> {
    // Streamed: the digest names every image of the run.
    await this.putObject(joinKey(this.prefix, HISTORY_FILES.decisions.name), jsonLinePieces(decisions), HISTORY_FILES.decisions.contentType);
    await this.putObject(joinKey(this.prefix, HISTORY_FILES.runs.name), [historyToJsonLines(runs)], HISTORY_FILES.runs.contentType);
  }

  private async getOptional(name: string): Promise<string | null> {
    const key = joinKey(this.prefix, name);
    const uri = `s3://${this.bucket}/${key}`;
    try {
      const response = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return (await response.Body?.transformToString('utf-8')) ?? '';
    } catch (error) {
      if (error instanceof NoSuchKey || (error as { name?: string }).name === 'NoSuchKey') return null;
      const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      throw new ReportReadError(`could not read ${uri}: ${detail}`, uri, { cause: error });
    }
  }

  /**
   * A presigned GET URL for a run's `report.html`, valid for the configured expiry. Without an
   * argument: the report this store wrote last. Signing is local; nothing is sent to S3.
   * @throws ConfigError when no report was written and no run is named.
   */
  async reportUrl(run?: { runId: string; date: string | Date }): Promise<string> {
    let key = this.lastHtmlKey;
    if (run) {
      const folder = this.folders.get(run.runId) ?? this.folderFor(run.runId, run.date, 'report.html');
      key = this.key(folder, 'reportHtml');
    }
    if (!key) throw new ConfigError('S3ReportStore.reportUrl: no report has been written yet and no run was named');
    return this.presign(key);
  }

  private async presign(key: string): Promise<string> {
    return getSignedUrl(this.client, new GetObjectCommand({ Bucket: this.bucket, Key: key }), { expiresIn: this.expiresIn });
  }

  private folderFor(runId: string, date: string | Date, what: string): string {
    const problem = reportFolderProblem(runId, date);
    if (problem) throw new ReportWriteError(`cannot write ${what} to s3://${this.bucket}/${this.prefix}: ${problem}`, `s3://${this.bucket}/${this.prefix}`);
    return reportFolder(runId, date);
  }

  private key(folder: string, kind: ReportFileKind): string {
    return joinKey(this.prefix, `${folder}/${REPORT_FILES[kind].name}`);
  }

  private async put(folder: string, kind: ReportFileKind, body: Iterable<string>): Promise<string> {
    return this.putObject(this.key(folder, kind), body, REPORT_FILES[kind].contentType);
  }

  private async putObject(key: string, body: Iterable<string>, contentType: string): Promise<string> {
    const uri = `s3://${this.bucket}/${key}`;
    const name = key.slice(key.lastIndexOf('/') + 1);
    try {
      await uploadPieces(
        this.client,
        {
          Bucket: this.bucket,
          Key: key,
          ContentType: contentType,
          // Reports are rewritten per run; a cached copy would show a stale sweep.
          CacheControl: 'no-cache',
          ...(this.sse ? { ServerSideEncryption: this.sse } : {}),
          ...(this.sse === 'aws:kms' && this.kmsKeyId ? { SSEKMSKeyId: this.kmsKeyId } : {}),
        },
        body,
      );
      return uri;
    } catch (error) {
      const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      throw new ReportWriteError(`could not write ${name} to ${uri}: ${detail}`, uri, { cause: error });
    }
  }
}
