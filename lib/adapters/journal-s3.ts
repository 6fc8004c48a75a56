/**
 * The result journal for the Lambda functions: S3 cannot append, so each write is one part object,
 * `<prefix>/<run-id>/part-<time>-<seq>.jsonl`, and reading a run lists its parts in key order.
 * Concurrent batches share a write (the engine's group commit), so a run writes far fewer parts
 * than batches.
 */
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { joinKey } from '../core/report-layout.js';
import { JournalError } from '../engine/errors.js';
import type { JournalRecord, JournalStore } from '../engine/types.js';
import { decodeJournal, encodeJournal } from './journal-codec.js';

/** A {@link JournalStore} backed by part objects under an S3 prefix. */
export class S3JournalStore implements JournalStore {
  private seq = 0;
  /** Parts of one store instance sort together and never collide with another invocation's. */
  private readonly instance = randomBytes(3).toString('hex');

  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    private readonly prefix: string,
    private readonly clock: () => number = Date.now,
  ) {}

  get where(): string {
    return `s3://${this.bucket}/${this.prefix}`;
  }

  /** Writes `records` as one new part object. */
  async append(runId: string, records: readonly JournalRecord[]): Promise<void> {
    this.seq += 1;
    const name = `part-${String(this.clock()).padStart(15, '0')}-${this.instance}-${String(this.seq).padStart(6, '0')}.jsonl`;
    const key = joinKey(this.prefix, `${runId}/${name}`);
    try {
      await this.s3.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: encodeJournal(records), ContentType: 'application/x-ndjson' }));
    } catch (error) {
      throw new JournalError(`cannot write journal part s3://${this.bucket}/${key}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }

  /** Every record of `runId`, parts in key order (time of writing). */
  async read(runId: string): Promise<JournalRecord[]> {
    const prefix = joinKey(this.prefix, `${runId}/`);
    const keys: string[] = [];
    try {
      let token: string | undefined;
      do {
        const page = await this.s3.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ...(token ? { ContinuationToken: token } : {}) }));
        for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
    } catch (error) {
      throw new JournalError(`cannot list journal parts under s3://${this.bucket}/${prefix}`, { cause: error });
    }
    keys.sort();
    const records: JournalRecord[] = [];
    for (const key of keys) {
      let text: string;
      try {
        const out = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
        text = (await out.Body?.transformToString('utf8')) ?? '';
      } catch (error) {
        throw new JournalError(`cannot read journal part s3://${this.bucket}/${key}`, { cause: error });
      }
      records.push(...decodeJournal(text, `s3://${this.bucket}/${key}`, runId));
    }
    return records;
  }
}
