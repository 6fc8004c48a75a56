/**
 * Reads the Slack webhook URL from where Lambda keeps secrets: an SSM SecureString parameter or
 * a Secrets Manager secret. Never from plain configuration, and never echoing the value in errors.
 */
import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { EcrSweeperError } from '../errors.js';

/** Where the webhook URL is stored. */
export type WebhookUrlSource =
  /** An SSM parameter of type SecureString (read WithDecryption). */
  | { ssmParameterName: string }
  /**
   * A Secrets Manager secret holding the URL, either as the whole SecretString or as a field of a
   * JSON SecretString (`jsonKey`, else the first of `webhookUrl`, `url`, `slackWebhookUrl`).
   */
  | { secretId: string; jsonKey?: string };

/** Clients for the source in use; only the one the source needs must be given. */
export interface SecretClients {
  ssm?: SSMClient;
  secretsManager?: SecretsManagerClient;
}

/** The webhook URL could not be read; says which parameter or secret and why, never its value. */
export class SecretSourceError extends EcrSweeperError {}

const DEFAULT_JSON_KEYS = ['webhookUrl', 'url', 'slackWebhookUrl'] as const;

/**
 * Resolves the webhook URL from SSM or Secrets Manager.
 *
 * @example
 * ```ts
 * const url = await resolveWebhookUrl({ ssmParameterName: '/ecr-sweeper/slack-webhook' }, { ssm: new SSMClient({}) });
 * ```
 * @throws SecretSourceError when the client is missing, the call fails, the parameter is not a
 * SecureString, or the value is empty or not a URL.
 */
export async function resolveWebhookUrl(source: WebhookUrlSource, clients: SecretClients): Promise<string> {
  if ('ssmParameterName' in source) return fromSsm(source.ssmParameterName, clients.ssm);
  if ('secretId' in source) return fromSecretsManager(source.secretId, source.jsonKey, clients.secretsManager);
  throw new SecretSourceError('webhook URL source must name ssmParameterName or secretId');
}

async function fromSsm(name: string, client: SSMClient | undefined): Promise<string> {
  const where = `SSM parameter ${JSON.stringify(name)}`;
  if (!name) throw new SecretSourceError('ssmParameterName is empty');
  if (!client) throw new SecretSourceError(`cannot read ${where}: no SSM client was given`);
  let parameter;
  try {
    ({ Parameter: parameter } = await client.send(new GetParameterCommand({ Name: name, WithDecryption: true })));
  } catch (error) {
    throw new SecretSourceError(`cannot read ${where}: ${describe(error)}`, { cause: error });
  }
  if (!parameter) throw new SecretSourceError(`cannot read ${where}: the response has no parameter`);
  if (parameter.Type !== 'SecureString') {
    throw new SecretSourceError(`${where} is of type ${parameter.Type ?? 'unknown'}; store the webhook URL as a SecureString`);
  }
  return checkUrl(parameter.Value, where);
}

async function fromSecretsManager(secretId: string, jsonKey: string | undefined, client: SecretsManagerClient | undefined): Promise<string> {
  const where = `secret ${JSON.stringify(secretId)}`;
  if (!secretId) throw new SecretSourceError('secretId is empty');
  if (!client) throw new SecretSourceError(`cannot read ${where}: no Secrets Manager client was given`);
  let text: string | undefined;
  try {
    const response = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
    text = response.SecretString ?? (response.SecretBinary ? Buffer.from(response.SecretBinary).toString('utf8') : undefined);
  } catch (error) {
    throw new SecretSourceError(`cannot read ${where}: ${describe(error)}`, { cause: error });
  }
  if (text === undefined) throw new SecretSourceError(`${where} has no value`);
  const trimmed = text.trim();
  if (!trimmed.startsWith('{')) {
    if (jsonKey) throw new SecretSourceError(`${where} is not JSON, so it has no field ${JSON.stringify(jsonKey)}`);
    return checkUrl(trimmed, where);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    // The parser's message quotes the input, which is the secret.
    throw new SecretSourceError(`${where} starts like JSON but does not parse`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new SecretSourceError(`${where} is JSON but not an object`);
  const record = parsed as Record<string, unknown>;
  const keys = jsonKey ? [jsonKey] : DEFAULT_JSON_KEYS;
  const key = keys.find((k) => typeof record[k] === 'string');
  if (!key) {
    const present = Object.keys(record).map((k) => JSON.stringify(k)).join(', ') || 'none';
    throw new SecretSourceError(`${where} has no string field ${keys.map((k) => JSON.stringify(k)).join(' or ')} (fields: ${present})`);
  }
  return checkUrl(record[key] as string, `${where} field ${JSON.stringify(key)}`);
}

function checkUrl(value: string | undefined, where: string): string {
  const url = value?.trim() ?? '';
  if (!url) throw new SecretSourceError(`${where} is empty`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new SecretSourceError(`${where} does not hold a URL (value not shown: it is a secret)`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new SecretSourceError(`${where} holds a ${parsed.protocol} URL; a webhook URL is https`);
  }
  return url;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
