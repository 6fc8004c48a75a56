/**
 * What every command needs besides its own flags: the process view, and how to build the ECR
 * client from the common AWS flags and environment.
 */
import type { ECRClient } from '@aws-sdk/client-ecr';
import { createEcrClient, type EcrClientSettings } from '../engine/ecr-client.js';
import type { CliIo } from './io.js';
import { parseEndpointUrl } from './options.js';

/** The context every command runs in. */
export interface CliRuntime {
  io: CliIo;
  /**
   * Extra ECR client settings. The demo passes dummy credentials here so it never signs requests
   * to its local emulator with a user's real keys; the CLI itself passes nothing.
   */
  ecrClientExtra?: EcrClientSettings['extra'];
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
 * Builds the ECR client: flags first, then `AWS_REGION`, `AWS_PROFILE`, `AWS_ENDPOINT_URL_ECR`.
 * The caller destroys it when done so no keep-alive socket holds the process open.
 */
export function ecrClientFor(flags: AwsFlags, runtime: CliRuntime): ECRClient {
  const settings: EcrClientSettings = { env: runtime.io.env };
  if (flags.region !== undefined) settings.region = flags.region;
  if (flags.profile !== undefined) settings.profile = flags.profile;
  if (flags.endpointUrl !== undefined) settings.endpoint = parseEndpointUrl(flags.endpointUrl);
  else {
    // Same precedence as createEcrClient; checked only so a bad value is reported by name.
    for (const name of ['AWS_ENDPOINT_URL_ECR', 'AWS_ENDPOINT_URL'] as const) {
      const value = runtime.io.env[name];
      if (value !== undefined && value.trim() !== '') {
        parseEndpointUrl(value, name);
        break;
      }
    }
  }
  if (runtime.ecrClientExtra !== undefined) settings.extra = runtime.ecrClientExtra;
  return createEcrClient(settings);
}

/** The Slack webhook URL from `--slack-webhook-url` or `ECR_SWEEPER_SLACK_WEBHOOK_URL`, if any. */
export function slackWebhookUrlFor(flags: SlackFlags, runtime: CliRuntime): string | undefined {
  const url = flags.slackWebhookUrl ?? runtime.io.env.ECR_SWEEPER_SLACK_WEBHOOK_URL;
  return url !== undefined && url.trim() !== '' ? url.trim() : undefined;
}
