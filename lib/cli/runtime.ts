/**
 * What every command needs besides its own flags: the process view, and how to build the run's
 * AWS clients from the common AWS flags and environment.
 */
import type { ECRClient } from '@aws-sdk/client-ecr';
import { AWS_SERVICES, createAwsClients, type AwsClients, type AwsClientSettings } from '../adapters/aws-clients.js';
import { nonEmpty } from '../adapters/client-endpoints.js';
import { ConfigError } from '../errors.js';
import type { CliIo } from './io.js';
import { parseEndpointUrl } from './options.js';

/** The context every command runs in. */
export interface CliRuntime {
  io: CliIo;
  /**
   * Credentials for every AWS client of the run (the name is older than the other clients). The
   * demo passes dummy credentials here so it never signs requests to its local emulator with a
   * user's real keys; the CLI itself passes nothing.
   */
  ecrClientExtra?: { credentials?: AwsClientSettings['credentials'] };
}

/** Flags every command that talks to AWS accepts. */
export interface AwsFlags {
  region?: string;
  profile?: string;
  endpointUrl?: string;
}

/** Flags of the commands that can notify Slack. */
export interface SlackFlags {
  slackWebhookUrl?: string;
}

/**
 * Builds the run's AWS clients: flags first, then `AWS_REGION`, `AWS_PROFILE`, and for each
 * client its own `AWS_ENDPOINT_URL_<SERVICE>`, then `--endpoint-url`, then `AWS_ENDPOINT_URL`.
 * The endpoint each client will use is checked now, so a bad value is a usage error naming the
 * flag or variable it came from, before any request. The caller destroys the clients when done
 * so no keep-alive socket holds the process open.
 */
export function awsClientsFor(flags: AwsFlags, runtime: CliRuntime): AwsClients {
  const clients = createAwsClients(awsSettingsFor(flags, runtime));
  for (const service of AWS_SERVICES) {
    const endpoint = clients.endpointOf(service);
    if (endpoint !== undefined && endpoint.from !== 'explicit') parseEndpointUrl(endpoint.url, endpoint.from);
  }
  return clients;
}

/** The settings every client of the run is built from (flags, then the environment); also each target's base. */
export function awsSettingsFor(flags: AwsFlags, runtime: CliRuntime): AwsClientSettings {
  const settings: AwsClientSettings = { env: runtime.io.env };
  if (flags.region !== undefined) settings.region = flags.region;
  if (flags.profile !== undefined) settings.profile = flags.profile;
  if (flags.endpointUrl !== undefined) settings.endpoint = parseEndpointUrl(flags.endpointUrl);
  if (runtime.ecrClientExtra?.credentials !== undefined) settings.credentials = runtime.ecrClientExtra.credentials;
  return settings;
}

/** The ECR client alone, for the commands that talk to nothing else (`restore`, `import-policy`). */
export function ecrClientFor(flags: AwsFlags, runtime: CliRuntime): ECRClient {
  return awsClientsFor(flags, runtime).ecr;
}

/**
 * A missing-credentials error explained in terms of the profile the user chose (`--profile`, else
 * `AWS_PROFILE`), as a ConfigError (exit 2). The SDK only says "Could not load credentials from
 * any providers", and the generic advice ("pass --profile") reads as nonsense to someone who did.
 * Any other error, or a run with no profile chosen, comes back unchanged.
 *
 * @example
 * ```ts
 * try { await runSweep(...) } catch (error) { throw explainProfileCredentialsError(error, flags, runtime); }
 * ```
 */
export function explainProfileCredentialsError(error: unknown, flags: AwsFlags, runtime: CliRuntime): unknown {
  const env = runtime.io.env;
  const fromFlag = nonEmpty(flags.profile);
  const profile = fromFlag ?? nonEmpty(env.AWS_PROFILE);
  const sdkError = credentialsProviderError(error);
  if (profile === undefined || sdkError === undefined) return error;
  const config = nonEmpty(env.AWS_CONFIG_FILE) ?? '~/.aws/config';
  const credentials = nonEmpty(env.AWS_SHARED_CREDENTIALS_FILE) ?? '~/.aws/credentials';
  const otherwise =
    fromFlag !== undefined
      ? 'Or pass --profile with a profile that exists'
      : 'Or set AWS_PROFILE to a profile that exists, or unset it to use AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (a profile wins over them)';
  return new ConfigError(
    `AWS profile "${profile}" (from ${fromFlag !== undefined ? '--profile' : 'AWS_PROFILE'}) gave no credentials (${sdkError.message}). ` +
      `Check that it is defined: [${profile === 'default' ? 'default' : `profile ${profile}`}] in ${config} or [${profile}] in ${credentials} ("aws configure list-profiles" lists them); ` +
      `if it signs in with SSO, run "aws sso login --profile ${profile}" first. ${otherwise}; nothing was deleted.`,
    { cause: error },
  );
}

/** The SDK's CredentialsProviderError anywhere in the cause chain (the engine wraps SDK errors in its own). */
function credentialsProviderError(error: unknown): Error | undefined {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth += 1) {
    if (e.name === 'CredentialsProviderError') return e;
  }
  return undefined;
}


/** The Slack webhook URL from `--slack-webhook-url` or `ECR_SWEEPER_SLACK_WEBHOOK_URL`, if any. */
export function slackWebhookUrlFor(flags: SlackFlags, runtime: CliRuntime): string | undefined {
  const url = flags.slackWebhookUrl ?? runtime.io.env.ECR_SWEEPER_SLACK_WEBHOOK_URL;
  return url !== undefined && url.trim() !== '' ? url.trim() : undefined;
}
