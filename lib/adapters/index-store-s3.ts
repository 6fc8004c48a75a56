/**
 * Index store for the Lambda functions: one JSON object per registry in the report bucket, under
 * `<prefix>/index-store/`, next to the reports and the checkpoint (the functions' roles may read
 * and write there and nowhere else).
 */
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { IndexMemory, IndexReadRecord } from '../core/index-memory.js';
import { joinKey } from '../core/report-layout.js';
import { IndexStoreError } from '../engine/errors.js';
import type { RegistryIdentity } from '../engine/ports.js';
import type { IndexStore } from '../engine/types.js';
import { decodeIndexMemory, encodeIndexMemory, indexStoreFileName } from './index-store-codec.js';

/** An {@link IndexStore} backed by S3 objects `s3://<bucket>/<prefix>/index-store/<registry>.json`. */
export class S3IndexStore implements IndexStore {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    private readonly prefix: string,
  ) {}

  private key(registry: RegistryIdentity): string {
    return joinKey(this.prefix, `index-store/${indexStoreFileName(registry)}`);
  }

  /** The object of a registry's memory. */
  location(registry: RegistryIdentity): string {
    return `s3://${this.bucket}/${this.key(registry)}`;
  }

  /** The stored memory, or an empty one when the object does not exist yet. */
  async load(registry: RegistryIdentity): Promise<Map<string, IndexReadRecord>> {
    let text: string;
    try {
      const out = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key(registry) }));
      text = (await out.Body?.transformToString('utf8')) ?? '';
    } catch (error) {
      const name = (error as { name?: string }).name;
      if (name === 'NoSuchKey' || name === 'NotFound') return new Map();
      throw new IndexStoreError(`cannot read index store ${this.location(registry)}: ${name ?? 'Error'}: ${(error as Error).message}`, { cause: error });
    }
    return decodeIndexMemory(text, this.location(registry), registry);
  }

  /** Replaces the object. */
  async save(registry: RegistryIdentity, memory: IndexMemory): Promise<void> {
    try {
      await this.s3.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: this.key(registry),
          Body: encodeIndexMemory(registry, memory),
          ContentType: 'application/json',
        }),
      );
    } catch (error) {
      throw new IndexStoreError(`cannot write index store ${this.location(registry)}: ${(error as Error).message}`, { cause: error });
    }
  }
}
