/** Shared helpers for emulator tests: an emulator plus a real ECRClient talking to it over HTTP. */
import { ECRClient } from '@aws-sdk/client-ecr';
import { expect } from 'vitest';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../emulator/index.js';

export const ACCESS_KEY = 'AKIDEMULATORTEST';

export interface Fixture {
  emulator: RunningEmulator;
  ecr: ECRClient;
}

/** Starts an emulator on an ephemeral port and an SDK client signed with dummy credentials. */
export async function startFixture(options: EmulatorOptions = {}, clientOptions: { maxAttempts?: number; accessKeyId?: string } = {}): Promise<Fixture> {
  const emulator = await startEmulator({ port: 0, ...options });
  return { emulator, ecr: clientFor(emulator, clientOptions) };
}

/** An SDK client for a running emulator. */
export function clientFor(emulator: RunningEmulator, options: { maxAttempts?: number; accessKeyId?: string } = {}): ECRClient {
  return new ECRClient({
    endpoint: emulator.url,
    region: 'us-east-1',
    credentials: { accessKeyId: options.accessKeyId ?? ACCESS_KEY, secretAccessKey: 'not-a-secret' },
    maxAttempts: options.maxAttempts ?? 1,
  });
}

/** Stops a fixture's emulator and client. */
export async function stopFixture(f: Fixture | undefined): Promise<void> {
  if (!f) return;
  f.ecr.destroy();
  await f.emulator.stop();
}

/** Awaits a call that must fail with the given ECR exception; returns the error for more checks. */
export async function expectEcrError(
  call: Promise<unknown>,
  name: string,
  message?: string | RegExp,
): Promise<Error & { $metadata: { httpStatusCode?: number } }> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e as Error & { $metadata: { httpStatusCode?: number } },
  );
  expect(error, `expected ${name}, but the call succeeded`).toBeDefined();
  expect(error?.name).toBe(name);
  if (message !== undefined) expect(error?.message).toMatch(message);
  return error as Error & { $metadata: { httpStatusCode?: number } };
}

/** Raw JSON 1.1 call (for wire-level checks the SDK hides). */
export async function rawCall(
  url: string,
  operation: string | undefined,
  body: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; json: Record<string, unknown> }> {
  const h: Record<string, string> = {
    'Content-Type': 'application/x-amz-json-1.1',
    Authorization: `AWS4-HMAC-SHA256 Credential=${ACCESS_KEY}/20260101/us-east-1/ecr/aws4_request, SignedHeaders=host, Signature=abc`,
    ...headers,
  };
  if (operation !== undefined) h['X-Amz-Target'] = `AmazonEC2ContainerRegistry_V20150921.${operation}`;
  const res = await fetch(`${url}/`, { method: 'POST', headers: h, body });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}
