import { SSMClient } from '@aws-sdk/client-ssm';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretSourceError, resolveWebhookUrl } from '../../lib/adapters/secret-source.js';
import { startFakeSecrets, type FakeSecrets } from './helpers/fake-secrets-server.js';

const URL_A = 'https://hooks.slack.com/services/T1/B1/secretA';
const URL_B = 'https://hooks.slack.com/services/T2/B2/secretB';

describe('resolveWebhookUrl', () => {
  let fake: FakeSecrets;
  let ssm: SSMClient;
  let secretsManager: SecretsManagerClient;
  beforeAll(async () => {
    fake = await startFakeSecrets({
      parameters: {
        '/ecr-sweeper/slack': { type: 'SecureString', value: URL_A },
        '/ecr-sweeper/plain': { type: 'String', value: URL_A },
        '/ecr-sweeper/garbage': { type: 'SecureString', value: 'not a url secretGarbage' },
        '/ecr-sweeper/blank': { type: 'SecureString', value: '   ' },
      },
      secrets: {
        'ecr-sweeper/raw': { string: `  ${URL_B}\n` },
        'ecr-sweeper/json': { string: JSON.stringify({ channel: '#ops', webhookUrl: URL_B }) },
        'ecr-sweeper/custom': { string: JSON.stringify({ slack: URL_A }) },
        'ecr-sweeper/nokey': { string: JSON.stringify({ token: 'secretToken' }) },
        'ecr-sweeper/badjson': { string: '{"webhookUrl": "secretHalf' },
        'ecr-sweeper/binary': { binary: URL_A },
      },
    });
    const config = { endpoint: fake.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' }, maxAttempts: 1 };
    ssm = new SSMClient(config);
    secretsManager = new SecretsManagerClient(config);
  });
  afterAll(async () => {
    ssm.destroy();
    secretsManager.destroy();
    await fake.stop();
  });

  it('reads an SSM SecureString with decryption', async () => {
    await expect(resolveWebhookUrl({ ssmParameterName: '/ecr-sweeper/slack' }, { ssm })).resolves.toBe(URL_A);
    expect(fake.targets.at(-1)).toBe('AmazonSSM.GetParameter');
    expect(fake.bodies.at(-1)).toEqual({ Name: '/ecr-sweeper/slack', WithDecryption: true });
  });

  it.each([
    [{ secretId: 'ecr-sweeper/raw' }, URL_B],
    [{ secretId: 'ecr-sweeper/json' }, URL_B],
    [{ secretId: 'ecr-sweeper/custom', jsonKey: 'slack' }, URL_A],
    [{ secretId: 'ecr-sweeper/binary' }, URL_A],
  ])('reads a Secrets Manager secret %j', async (source, url) => {
    await expect(resolveWebhookUrl(source, { secretsManager })).resolves.toBe(url);
    expect(fake.targets.at(-1)).toBe('secretsmanager.GetSecretValue');
  });

  it.each([
    [{ ssmParameterName: '/ecr-sweeper/plain' }, 'SSM parameter "/ecr-sweeper/plain" is of type String; store the webhook URL as a SecureString'],
    [{ ssmParameterName: '/ecr-sweeper/missing' }, 'cannot read SSM parameter "/ecr-sweeper/missing": ParameterNotFound: Parameter /ecr-sweeper/missing not found.'],
    [{ ssmParameterName: '/ecr-sweeper/garbage' }, 'SSM parameter "/ecr-sweeper/garbage" does not hold a URL (value not shown: it is a secret)'],
    [{ ssmParameterName: '/ecr-sweeper/blank' }, 'SSM parameter "/ecr-sweeper/blank" is empty'],
    [{ secretId: 'ecr-sweeper/missing' }, /^cannot read secret "ecr-sweeper\/missing": ResourceNotFoundException/],
    [{ secretId: 'ecr-sweeper/nokey' }, 'secret "ecr-sweeper/nokey" has no string field "webhookUrl" or "url" or "slackWebhookUrl" (fields: "token")'],
    [{ secretId: 'ecr-sweeper/badjson' }, 'secret "ecr-sweeper/badjson" starts like JSON but does not parse'],
    [{ secretId: 'ecr-sweeper/raw', jsonKey: 'url' }, 'secret "ecr-sweeper/raw" is not JSON, so it has no field "url"'],
  ])('explains what is wrong with %j without showing the value', async (source, message) => {
    const error = await resolveWebhookUrl(source, { ssm, secretsManager }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SecretSourceError);
    if (typeof message === 'string') expect((error as Error).message).toBe(message);
    else expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toMatch(/secret[A-Z]|secretToken|secretHalf|secretGarbage/);
  });

  it('names the missing client', async () => {
    await expect(resolveWebhookUrl({ ssmParameterName: '/x' }, {})).rejects.toThrow('cannot read SSM parameter "/x": no SSM client was given');
    await expect(resolveWebhookUrl({ secretId: 's' }, {})).rejects.toThrow('cannot read secret "s": no Secrets Manager client was given');
  });
});
