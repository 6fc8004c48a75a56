/**
 * A profile that gives no credentials is explained in terms of that profile (where it should be
 * defined, how to sign in, what to change), never with "pass --profile" to someone who did.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../lib/errors.js';
import { explainProfileCredentialsError, type CliRuntime } from '../../lib/cli/runtime.js';
import { cliEnv, runCliProcess, useTempDir, writeText } from './cli-harness.js';
import { rulesYaml } from './fixtures.js';
import { capturedIo } from './in-process-io.js';

/** Shaped like the SDK's error (it is matched by name, as it comes through the engine's wrappers). */
function credentialsProviderError(): Error {
  const error = new Error('Could not load credentials from any providers');
  error.name = 'CredentialsProviderError';
  return error;
}

const runtimeWith = (env: Record<string, string>): CliRuntime => ({ io: capturedIo({ env }).io });

describe('explainProfileCredentialsError', () => {
  it('names the --profile that was tried, where it should be defined and how to fix it', () => {
    const sdk = credentialsProviderError();
    const wrapped = new Error('DescribeRepositories failed', { cause: sdk });
    const explained = explainProfileCredentialsError(wrapped, { profile: 'nosuch' }, runtimeWith({ AWS_PROFILE: 'ignored' }));
    expect(explained).toBeInstanceOf(ConfigError);
    const error = explained as ConfigError;
    expect(error.cause).toBe(wrapped);
    expect(error.message).toBe(
      'AWS profile "nosuch" (from --profile) gave no credentials (Could not load credentials from any providers). ' +
        'Check that it is defined: [profile nosuch] in ~/.aws/config or [nosuch] in ~/.aws/credentials ("aws configure list-profiles" lists them); ' +
        'if it signs in with SSO, run "aws sso login --profile nosuch" first. Or pass --profile with a profile that exists; nothing was deleted.',
    );
  });

  it('names AWS_PROFILE when the profile came from there, and the config files the SDK reads', () => {
    const env = { AWS_PROFILE: ' ci ', AWS_CONFIG_FILE: '/etc/aws/config', AWS_SHARED_CREDENTIALS_FILE: '/etc/aws/creds' };
    const message = (explainProfileCredentialsError(credentialsProviderError(), {}, runtimeWith(env)) as Error).message;
    expect(message).toContain('AWS profile "ci" (from AWS_PROFILE)');
    expect(message).toContain('[profile ci] in /etc/aws/config or [ci] in /etc/aws/creds');
    expect(message).toContain('Or set AWS_PROFILE to a profile that exists, or unset it to use AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY');
    expect(message).not.toContain('--profile with');
  });

  it('writes the default profile as [default], as the config file does', () => {
    const message = (explainProfileCredentialsError(credentialsProviderError(), { profile: 'default' }, runtimeWith({})) as Error).message;
    expect(message).toContain('[default] in ~/.aws/config or [default] in ~/.aws/credentials');
  });

  it.each<[string, unknown, { profile?: string }, Record<string, string>]>([
    ['no profile chosen', credentialsProviderError(), {}, {}],
    ['an empty --profile and AWS_PROFILE', credentialsProviderError(), { profile: ' ' }, { AWS_PROFILE: '' }],
    ['another error', new Error('AccessDeniedException'), { profile: 'nosuch' }, {}],
    ['not an Error', 'boom', { profile: 'nosuch' }, {}],
  ])('leaves the error unchanged with %s', (_name, error, flags, env) => {
    expect(explainProfileCredentialsError(error, flags, runtimeWith(env))).toBe(error);
  });
});

describe('ecr-sweeper with a profile that does not exist', () => {
  const temp = useTempDir();

  // No keys in the environment and empty shared config files: the named profile cannot resolve.
  const { AWS_ACCESS_KEY_ID: _a, AWS_SECRET_ACCESS_KEY: _s, ...noKeys } = cliEnv('http://127.0.0.1:9');

  it('plan --profile nosuch: exit 2, names the profile, never says "pass --profile"', async () => {
    const rules = await writeText(temp.dir, 'rules.yml', rulesYaml());
    const run = await runCliProcess(['plan', '--rules', rules, '--profile', 'nosuch'], { env: noKeys, cwd: temp.dir });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^ecr-sweeper: AWS profile "nosuch" \(from --profile\) gave no credentials/);
    expect(run.stderr).toContain('aws sso login --profile nosuch');
    expect(run.stderr).not.toContain('Set AWS_PROFILE or pass --profile');
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('apply --yes --profile nosuch: exit 2, names the profile, never says "pass --profile"', async () => {
    const rules = await writeText(temp.dir, 'rules-apply.yml', rulesYaml());
    const run = await runCliProcess(['apply', '--rules', rules, '--yes', '--profile', 'nosuch'], { env: noKeys, cwd: temp.dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/AWS profile "nosuch" \(from --profile\) gave no credentials/);
    expect(run.stderr).not.toContain('Set AWS_PROFILE or pass --profile');
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('import-policy with AWS_PROFILE set: exit 2, names AWS_PROFILE', async () => {
    const run = await runCliProcess(['import-policy', '--repository', 'app/web'], { env: { ...noKeys, AWS_PROFILE: 'ci' }, cwd: temp.dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^ecr-sweeper: AWS profile "ci" \(from AWS_PROFILE\) gave no credentials/);
    expect(run.stderr).not.toContain('Set AWS_PROFILE or pass --profile');
  });
});
