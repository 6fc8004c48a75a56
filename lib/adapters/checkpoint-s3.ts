/**
 * Checkpoint store for the Lambda functions: one JSON object in the reports bucket, next to
 * the reports, so the next scheduled invocation continues where a timed-out one stopped.
 */
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { CheckpointError } from '../engine/errors.js';
import type { Checkpoint, CheckpointStore } from '../engine/types.js';
import { decodeCheckpoint, encodeCheckpoint } from './checkpoint-codec.js';

/** A {@link CheckpointStore} backed by an S3 object. */
export class S3CheckpointStore implements CheckpointStore {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    private readonly key: string,
  ) {}

  private get where(): string {
    return `s3://${this.bucket}/${this.key}`;
  }

  /** The checkpoint, or null when the object does not exist. */
  async load(): Promise<Checkpoint | null> {
    let text: string;
    try {
      const out = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key }));
      text = (await out.Body?.transformToString('utf8')) ?? '';
    } catch (error) {
      const name = (error as { name?: string }).name;
      if (name === 'NoSuchKey' || name === 'NotFound') return null;
      throw new CheckpointError(`cannot read checkpoint ${this.where}`, { cause: error });
    }
    return decodeCheckpoint(text, this.where);
  }

  /** Replaces the checkpoint object. */
  async save(checkpoint: Checkpoint): Promise<void> {
    try {
      await this.s3.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: this.key,
          Body: encodeCheckpoint(checkpoint),
          ContentType: 'application/json',
        }),
      );
    } catch (error) {
      throw new CheckpointError(`cannot write checkpoint ${this.where}`, { cause: error });
    }
  }

  /** Deletes the checkpoint object (S3 deletes of a missing key succeed). */
  async clear(): Promise<void> {
    try {
      await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.key }));
    } catch (error) {
      throw new CheckpointError(`cannot remove checkpoint ${this.where}`, { cause: error });
    }
  }
}
