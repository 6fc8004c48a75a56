/**
 * Runs the real `ecr-sweeper` launcher as a child process, the way a user does, against an
 * emulator the test started. Asynchronous on purpose: the emulator lives in the test process and
 * must keep answering while the CLI runs.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(import.meta.dirname, '..', '..');
export const BIN = join(REPO_ROOT, 'bin', 'ecr-sweeper.js');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Environment for a CLI run against `endpoint`: dummy credentials, nothing from the developer's AWS setup. */
export function cliEnv(endpoint: string | undefined, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? tmpdir(),
    AWS_ACCESS_KEY_ID: 'AKIDCLITEST',
    AWS_SECRET_ACCESS_KEY: 'cli-test-secret',
    AWS_REGION: 'us-east-1',
    // No shared config files: a developer's ~/.aws must not change what the tests see.
    AWS_CONFIG_FILE: join(tmpdir(), 'ecr-sweeper-no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(tmpdir(), 'ecr-sweeper-no-aws-credentials'),
    NO_COLOR: '1',
    // Never let the SDK's credential chain reach for the EC2 metadata address from a test.
    AWS_EC2_METADATA_DISABLED: 'true',
    ...extra,
  };
  if (endpoint !== undefined) env.AWS_ENDPOINT_URL_ECR = endpoint;
  return env;
}

/** Runs `node bin/ecr-sweeper.js ...args` in `cwd` and collects its exit code and output. */
export function runCliProcess(args: readonly string[], options: { env: Record<string, string>; cwd?: string; input?: string }): Promise<CliRun> {
  return new Promise((resolvePromise, reject) => {
    const child = execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: options.cwd ?? REPO_ROOT, env: options.env, maxBuffer: 64 * 1024 * 1024, timeout: 60_000 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') {
          reject(new Error(`ecr-sweeper did not exit normally: ${error.message}\n${stderr}`, { cause: error }));
          return;
        }
        resolvePromise({ code: typeof error?.code === 'number' ? error.code : 0, stdout, stderr });
      },
    );
    child.stdin?.end(options.input ?? '');
  });
}

/** A temporary directory removed by the returned cleanup. */
export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'ecr-sweeper-cli-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Writes `text` to `dir/name` and returns the path. */
export async function writeText(dir: string, name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}
