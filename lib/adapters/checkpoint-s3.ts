/**
 * Checkpoint store for the Lambda functions: a small index object in the reports bucket, next to
 * the reports, and one part object per stored repository plan under `<key>.plans/`
 * (`checkpoint-parts.ts`), so the next scheduled invocation continues where a timed-out one
 * stopped without each save uploading every plan again. An older checkpoint holding its plans
 * inline is still read.
 */
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { CheckpointError } from '../engine/errors.js';
import type { Checkpoint, CheckpointStore } from '../engine/types.js';
import { PartedCheckpoint } from './checkpoint-parts.js';

/** A {@link CheckpointStore} backed by S3 objects. */
export class S3CheckpointStore implements CheckpointStore {
  private readonly parted: PartedCheckpoint;

  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    private readonly key: string,
  ) {
    const prefix = `${key}.plans/`;
    const where = `s3://${bucket}/${key}`;
    this.parted = new PartedCheckpoint({
      where,
      wherePart: (name) => `s3://${bucket}/${prefix}${name}`,
      readIndex: async () => {
        try {
          return await this.get(key);
        } catch (error) {
          const name = (error as { name?: string }).name;
          if (name === 'NoSuchKey' || name === 'NotFound') return null;
          throw new CheckpointError(`cannot read checkpoint ${where}`, { cause: error });
        }
      },
      writeIndex: (text) => this.put(key, text, `cannot write checkpoint ${where}`),
      readPart: (name) => this.get(`${prefix}${name}`),
      writePart: (name, text) => this.put(`${prefix}${name}`, text, `cannot write checkpoint part s3://${bucket}/${prefix}${name}`),
      clear: async () => {
        try {
          await this.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
          await this.deletePrefix(prefix);
        } catch (error) {
          throw new CheckpointError(`cannot remove checkpoint ${where}`, { cause: error });
        }
      },
    });
  }

  /** The checkpoint, or null when the object does not exist. */
  load(): Promise<Checkpoint | null> {
    return this.parted.load();
  }

  /** Replaces the checkpoint: the plans not stored yet, then the index object. */
  save(checkpoint: Checkpoint): Promise<void> {
    return this.parted.save(checkpoint);
  }

  /** Deletes the checkpoint and its parts (S3 deletes of a missing key succeed). */
  clear(): Promise<void> {
    return this.parted.clear();
  }

  private async get(key: string): Promise<string> {
    const out = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    return (await out.Body?.transformToString('utf8')) ?? '';
  }

  private async put(key: string, body: string, message: string): Promise<void> {
    try {
      await this.s3.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: 'application/json' }));
    } catch (error) {
      throw new CheckpointError(message, { cause: error });
    }
  }

  /**
   * Deletes every object under `prefix`, a listed page at a time, ten deletes in flight (one
   * DeleteObject each: the multi-object delete needs a checksum header that not every
   * S3-compatible store accepts, and a sweep's parts are a few thousand at most). A delete that
   * fails in the crowd is tried once more alone (a file-backed store such as s3rver can trip over
   * concurrent deletes in one folder) before the error stands.
   */
  private async deletePrefix(prefix: string): Promise<void> {
    let token: string | undefined;
    do {
      const page = await this.s3.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ...(token !== undefined ? { ContinuationToken: token } : {}) }));
      const keys = (page.Contents ?? []).flatMap((o) => (o.Key === undefined ? [] : [o.Key]));
      for (let i = 0; i < keys.length; i += 10) {
        const group = keys.slice(i, i + 10);
        const settled = await Promise.allSettled(group.map((key) => this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }))));
        for (const [j, outcome] of settled.entries()) {
          if (outcome.status === 'rejected') await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: group[j] }));
        }
      }
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
  }
}
