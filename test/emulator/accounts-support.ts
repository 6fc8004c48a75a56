/** Helpers for the multi-account emulator tests: SDK clients signed as a key, in a Region. */
import { ECRClient } from '@aws-sdk/client-ecr';
import { STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@aws-sdk/types';
import type { RunningEmulator } from '../../emulator/index.js';

export const HOME = '123456789012';
export const A = '111111111111';
export const B = '222222222222';

/** Static long-term credentials of an access key id. */
export function keyOf(accessKeyId: string): AwsCredentialIdentity {
  return { accessKeyId, secretAccessKey: 'not-a-secret' };
}

/** An ECR client for the emulator in `region`, signed with `credentials`. */
export function ecrFor(emulator: RunningEmulator, region: string, credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider): ECRClient {
  return new ECRClient({ endpoint: emulator.url, region, credentials, maxAttempts: 1 });
}

/** An STS client for the emulator in `region`, signed with `credentials`. */
export function stsFor(emulator: RunningEmulator, region: string, credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider): STSClient {
  return new STSClient({ endpoint: emulator.url, region, credentials, maxAttempts: 1 });
}

/** The rejection of a call that must fail (the test fails if it succeeds). */
export async function rejectionOf(call: Promise<unknown>): Promise<Error & { Code?: string; $metadata?: { httpStatusCode?: number } }> {
  const outcome = await call.then(
    () => ({ ok: true as const }),
    (error: unknown) => ({ ok: false as const, error: error as Error & { Code?: string; $metadata?: { httpStatusCode?: number } } }),
  );
  if (outcome.ok) throw new Error('expected the call to fail, but it succeeded');
  return outcome.error;
}
