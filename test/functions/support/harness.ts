/**
 * Runs the real Lambda handlers locally: the ECR emulator and s3rver on 127.0.0.1, the function
 * environment as serverless.yml sets it, a fresh module graph per "container" (the handlers build
 * their clients at first use from process.env), and a Lambda context stub.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { Context } from 'aws-lambda';
import { vi } from 'vitest';
import { startEmulator, type RunningEmulator, type StateFile } from '../../../emulator/index.js';
import { startFakeS3 } from '../../reports/helpers/s3rver-server.js';

export const REPORT_BUCKET = 'sweeper-reports';
export const REPORT_PREFIX = 'ecr-sweeper';
/** s3rver accepts only these credentials; the emulator accepts any SigV4 signature. */
const CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/** A Lambda handler as middy exports it. */
export type Handler = (event: unknown, context: Context) => Promise<unknown>;

/** Local stand-ins for ECR and S3, shared by the tests of one file. */
export interface LocalCloud {
  emulator: RunningEmulator;
  s3Endpoint: string;
  s3: S3Client;
  workDir: string;
  /** The functions' temp directory (their /tmp: TMPDIR in {@link functionEnv}), inside workDir. */
  tmpDir: string;
  stop(): Promise<void>;
}

/** Starts the emulator (empty) and s3rver with the report bucket. */
export async function startLocalCloud(): Promise<LocalCloud> {
  const workDir = await mkdtemp(join(tmpdir(), 'ecr-sweeper-fn-'));
  const tmpDir = join(workDir, 'tmp');
  await mkdir(tmpDir);
  const emulator = await startEmulator({ port: 0 });
  const fakeS3 = await startFakeS3([REPORT_BUCKET, 'rules-bucket']);
  return {
    emulator,
    s3Endpoint: fakeS3.endpoint,
    s3: fakeS3.client,
    workDir,
    tmpDir,
    async stop() {
      await Promise.all([emulator.stop(), fakeS3.stop()]);
      await rm(workDir, { recursive: true, force: true });
    },
  };
}

/** The environment serverless.yml gives the functions, pointed at the local cloud. */
export function functionEnv(cloud: LocalCloud, rulesFile: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL: cloud.emulator.url,
    AWS_ENDPOINT_URL_S3: cloud.s3Endpoint,
    S3_FORCE_PATH_STYLE: 'true',
    REPORT_BUCKET,
    REPORT_PREFIX,
    RULES_FILE: rulesFile,
    RULES_S3_URI: '',
    RULES_SSM_PARAMETER: '',
    CONCURRENCY: '2',
    POWERTOOLS_SERVICE_NAME: 'ecr-sweeper',
    POWERTOOLS_METRICS_NAMESPACE: 'EcrSweeper',
    POWERTOOLS_LOG_LEVEL: 'INFO',
    // The function's /tmp: its own per test file, so one file's leftovers are never another's.
    TMPDIR: cloud.tmpDir,
    ...extra,
  };
}

/** Writes rules YAML into the work directory and returns its path. */
export async function writeRules(cloud: LocalCloud, name: string, yaml: string): Promise<string> {
  const path = join(cloud.workDir, name);
  await writeFile(path, yaml);
  return path;
}

/** A new Lambda container: env applied, module graph fresh, both handlers imported. */
export async function coldStart(env: Record<string, string>): Promise<{ sweep: Handler; plan: Handler }> {
  for (const [key, value] of Object.entries(env)) vi.stubEnv(key, value);
  vi.resetModules();
  const sweep = (await import('../../../functions/sweep.js')).handler as unknown as Handler;
  const plan = (await import('../../../functions/plan.js')).handler as unknown as Handler;
  return { sweep, plan };
}

/** A Lambda context whose remaining time is fixed at `remainingMs`. */
export function lambdaContext(remainingMs = 900_000, functionName = 'ecr-sweeper-test-sweep'): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: `req-${Math.random().toString(16).slice(2)}`,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'test',
    getRemainingTimeInMillis: () => remainingMs,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** The EventBridge event a `schedule:` rule delivers. */
export function scheduledEvent(): Record<string, unknown> {
  return {
    version: '0',
    id: '53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa',
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: '123456789012',
    time: new Date().toISOString(),
    region: 'us-east-1',
    resources: ['arn:aws:events:us-east-1:123456789012:rule/ecr-sweeper-test-sweep'],
    detail: {},
  };
}

/** Every key in the bucket, sorted. */
export async function listKeys(s3: S3Client, bucket = REPORT_BUCKET): Promise<string[]> {
  const out = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
  return (out.Contents ?? []).map((o) => o.Key!).sort();
}

/** An object's text, or null when it does not exist. */
export async function readObject(s3: S3Client, key: string, bucket = REPORT_BUCKET): Promise<string | null> {
  try {
    const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return (await out.Body?.transformToString('utf8')) ?? null;
  } catch (error) {
    if ((error as { name?: string }).name === 'NoSuchKey') return null;
    throw error;
  }
}

/** Total requests the emulator received, all operations. */
export function totalRequests(emulator: RunningEmulator): number {
  return Object.values(emulator.stats().requests).reduce((a, b) => a + b, 0);
}

/** Captures what the handlers write (Powertools logs and EMF metrics), one parsed JSON object per line. */
export function captureOutput(): { lines: () => Record<string, unknown>[]; text: () => string; restore: () => void } {
  const chunks: string[] = [];
  const record = (chunk: string | Uint8Array): boolean => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  };
  const spies = [
    vi.spyOn(process.stdout, 'write').mockImplementation(record),
    vi.spyOn(process.stderr, 'write').mockImplementation(record),
  ];
  return {
    text: () => chunks.join(''),
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((l) => l.trim().startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>),
    restore: () => spies.forEach((s) => s.mockRestore()),
  };
}

export type { StateFile };
