/**
 * Every client's endpoint is checked as a setting: a value the SDK cannot use (in `--endpoint-url`,
 * `AWS_ENDPOINT_URL_<SERVICE>` or `AWS_ENDPOINT_URL`) is a usage error (exit 2) naming where it
 * came from, not a listing failure (exit 1) reading "TypeError: Invalid URL".
 */
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startEmulator } from '../../emulator/index.js';
import { runCli } from '../../lib/cli/main.js';
import { parseEndpointUrl } from '../../lib/cli/options.js';
import { cliEnv, runCliProcess } from './cli-harness.js';
import { capturedIo } from './in-process-io.js';

const ENV = { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'x' };
// In-process the SDK reads credentials from process.env, not from the captured io.
const CREDENTIALS = { ecrClientExtra: { credentials: { accessKeyId: 'x', secretAccessKey: 'x' } } };
const RULES = resolve(import.meta.dirname, '..', '..', 'rules', 'default.yml');

describe('parseEndpointUrl', () => {
  it.each(['http://127.0.0.1:4566', 'https://ecr.us-east-1.amazonaws.com', ' http://127.0.0.1:4566/ '])('accepts %j', (value) => {
    expect(parseEndpointUrl(value)).toBe(value.trim());
  });

  it.each(['127.0.0.1:4566', 'localhost:4566', 'ftp://127.0.0.1', '', 'http://'])('refuses %j, naming the flag', (value) => {
    expect(() => parseEndpointUrl(value)).toThrow(/--endpoint-url must be an http:\/\/ or https:\/\/ URL/);
  });
});

describe('a malformed --endpoint-url', () => {
  it.each([['plan'], ['apply']])('%s exits 2 with the flag named, before any request', async (command) => {
    const cap = capturedIo({ env: ENV });
    const args = [command, '--rules', RULES, '--endpoint-url', '127.0.0.1:1'];
    if (command === 'apply') args.push('--yes');
    const code = await runCli(args, cap.io);
    expect(code).toBe(2);
    expect(cap.stderr()).toContain("--endpoint-url must be an http:// or https:// URL such as http://127.0.0.1:4566; got '127.0.0.1:1'");
    expect(cap.stderr()).not.toContain('Invalid URL');
  });

  it.each([
    ['AWS_ENDPOINT_URL_ECR'], ['AWS_ENDPOINT_URL'], ['AWS_ENDPOINT_URL_STS'], ['AWS_ENDPOINT_URL_S3'], ['AWS_ENDPOINT_URL_ECS'],
    ['AWS_ENDPOINT_URL_LAMBDA'], ['AWS_ENDPOINT_URL_BATCH'], ['AWS_ENDPOINT_URL_APPRUNNER'],
  ])('a malformed %s is reported by its name (exit 2)', async (name) => {
    const cap = capturedIo({ env: { ...ENV, [name]: '127.0.0.1:1' } });
    const code = await runCli(['plan', '--rules', RULES], cap.io);
    expect(code).toBe(2);
    expect(cap.stderr()).toContain(`${name} must be an http:// or https:// URL`);
  });

  it("a service's own variable beats --endpoint-url: ECS goes where AWS_ENDPOINT_URL_ECS says, every other client where the flag says", async () => {
    const [all, ecsOnly] = await Promise.all([startEmulator({}), startEmulator({})]);
    try {
      const cap = capturedIo({ env: { ...ENV, AWS_ENDPOINT_URL_ECS: ecsOnly.url } });
      const code = await runCli(['plan', '--rules', RULES, '--endpoint-url', all.url, '--no-index-store'], cap.io, CREDENTIALS);
      expect(code).toBe(0);
      expect(all.stats().requests.DescribeRepositories).toBe(1);
      expect(ecsOnly.stats().requests.DescribeRepositories ?? 0).toBe(0);
      expect(ecsOnly.stats().requests['ecs:ListClusters']).toBe(1);
      expect(all.stats().requests['ecs:ListClusters'] ?? 0).toBe(0);
      // Lambda has no variable of its own: it follows the flag.
      expect(all.stats().requests['lambda:ListFunctions']).toBe(1);
    } finally {
      await Promise.all([all.stop(), ecsOnly.stop()]);
    }
  });

  it('so a malformed service variable is an error even with --endpoint-url, naming the variable', async () => {
    const emulator = await startEmulator({});
    try {
      const cap = capturedIo({ env: { ...ENV, AWS_ENDPOINT_URL_ECR: '127.0.0.1:1' } });
      const code = await runCli(['plan', '--rules', RULES, '--endpoint-url', emulator.url, '--no-index-store'], cap.io, CREDENTIALS);
      expect(code).toBe(2);
      expect(cap.stderr()).toContain('AWS_ENDPOINT_URL_ECR must be an http:// or https:// URL');
      expect(emulator.stats().requests.DescribeRepositories ?? 0).toBe(0);
    } finally {
      await emulator.stop();
    }
  });

  it('import-policy exits 2 the same way', async () => {
    const cap = capturedIo({ env: ENV });
    const code = await runCli(['import-policy', '--repository', 'team/app', '--endpoint-url', 'localhost:4566'], cap.io);
    expect(code).toBe(2);
    expect(cap.stderr()).toContain('--endpoint-url must be');
  });
});

describe('a closed endpoint', () => {
  it.each([['plan'], ['apply']])('%s exits 2 with the endpoint named and what to check, after a couple of attempts', async (command) => {
    // A loopback port nothing listens on: bound by the OS, then released.
    const server = createServer();
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const { port } = server.address() as { port: number };
    await new Promise<void>((done) => server.close(() => done()));

    const args = [command, '--rules', RULES, '--endpoint-url', `http://127.0.0.1:${port}`];
    if (command === 'apply') args.push('--yes');
    const run = await runCliProcess(args, { env: cliEnv(undefined) });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      `ecr-sweeper: cannot reach the ECR endpoint http://127.0.0.1:${port}/: connect ECONNREFUSED 127.0.0.1:${port} (DescribeRepositories, 2 attempts; it never answered). ` +
        'Check the endpoint URL (--endpoint-url, AWS_ENDPOINT_URL_ECR) and the region (--region, AWS_REGION), and that the network can reach it; nothing was deleted.\n',
    );
  });
});
