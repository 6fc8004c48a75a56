/**
 * Starts s3rver (a fake S3 in Node) on 127.0.0.1 with an ephemeral port and a temp directory,
 * and builds a real S3Client pointed at it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';

interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
type S3rverConstructor = new (options: {
  address: string;
  port: number;
  silent: boolean;
  directory: string;
  configureBuckets: Array<{ name: string }>;
}) => S3rverInstance;

// s3rver ships no types; it is loaded through require and given the small shape used here.
const S3rver = createRequire(import.meta.url)('s3rver') as S3rverConstructor;

export interface FakeS3 {
  endpoint: string;
  client: S3Client;
  stop(): Promise<void>;
}

/** Starts s3rver with the given buckets already created. */
export async function startFakeS3(buckets: readonly string[]): Promise<FakeS3> {
  const directory = await mkdtemp(path.join(tmpdir(), 'ecr-sweeper-s3rver-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: buckets.map((name) => ({ name })),
  });
  const address = await server.run();
  const endpoint = `http://127.0.0.1:${address.port}`;
  const client = s3ClientFor(endpoint);
  return {
    endpoint,
    client,
    async stop() {
      client.destroy();
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/** A real S3 client for a local endpoint: path-style addressing and dummy credentials. */
export function s3ClientFor(endpoint: string): S3Client {
  return new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    maxAttempts: 1,
  });
}
