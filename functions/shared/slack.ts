/**
 * The sweep's Slack notifier, when a webhook parameter is configured. The URL is read from SSM
 * (SecureString) or Secrets Manager at run time and never logged; failing to read it costs the
 * message, never the sweep or its report.
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { requestHandlerOptions } from '../../lib/adapters/http-timeouts.js';
import { resolveWebhookUrl } from '../../lib/adapters/secret-source.js';
import { SlackNotifier } from '../../lib/adapters/slack-notifier.js';
import type { FunctionDeps } from './clients.js';
import { logger } from './observability.js';

// Only the sweep bundle imports this module, so only it carries the Secrets Manager client.
let secretsManager: SecretsManagerClient | undefined;

/** The notifier for this run, or undefined when Slack is not configured or the URL cannot be read. */
export async function slackNotifierFor(deps: FunctionDeps): Promise<SlackNotifier | undefined> {
  const source = deps.config.slackWebhook;
  if (!source) return undefined;
  try {
    const url =
      source.kind === 'ssm'
        ? await resolveWebhookUrl({ ssmParameterName: source.name }, { ssm: deps.ssm() })
        : await resolveWebhookUrl({ secretId: source.secretId }, { secretsManager: (secretsManager ??= new SecretsManagerClient({ requestHandler: requestHandlerOptions(deps.config.httpTimeouts) })) });
    return new SlackNotifier(url, { logger });
  } catch (error) {
    // The error names the parameter, never its value.
    logger.warn('Slack webhook URL could not be read; no Slack message for this run', {
      source: source.kind === 'ssm' ? `ssm:${source.name}` : `secretsmanager:${source.secretId}`,
      error: (error as Error).message,
    });
    return undefined;
  }
}
