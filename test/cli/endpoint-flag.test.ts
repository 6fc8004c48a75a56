/**
 * `--endpoint-url` is checked as a flag: a value the SDK cannot use is a usage error (exit 2)
 * naming the flag, not a listing failure (exit 1) reading "TypeError: Invalid URL".
 */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../lib/cli/main.js';
import { parseEndpointUrl } from '../../lib/cli/options.js';
import { capturedIo } from './in-process-io.js';

const ENV = { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'x' };
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

  it('import-policy exits 2 the same way', async () => {
    const cap = capturedIo({ env: ENV });
    const code = await runCli(['import-policy', '--repository', 'team/app', '--endpoint-url', 'localhost:4566'], cap.io);
    expect(code).toBe(2);
    expect(cap.stderr()).toContain('--endpoint-url must be');
  });
});
