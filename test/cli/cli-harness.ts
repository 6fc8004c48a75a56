/**
 * Runs the real `ecr-sweeper` launcher as a child process, the way a user does, against an
 * emulator the test started. Asynchronous on purpose: the emulator lives in the test process and
 * must keep answering while the CLI runs.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../emulator/index.js';
import type { StateFile } from '../../emulator/types.js';

export const REPO_ROOT = resolve(import.meta.dirname, '..', '..');
export const BIN = join(REPO_ROOT, 'bin', 'ecr-sweeper.js');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

let cacheDirs = 0;

/**
 * Environment for a CLI run against `endpoint`: dummy credentials, nothing from the developer's AWS
 * setup, and a cache directory of its own (the index store), so runs never share remembered index
 * reads unless a test passes the same `XDG_CACHE_HOME` on purpose.
 */
export function cliEnv(endpoint: string | undefined, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? tmpdir(),
    XDG_CACHE_HOME: join(tmpdir(), 'ecr-sweeper-cli-test-cache', `${process.pid}-${++cacheDirs}`),
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
  // One endpoint for every client of the run (ECR, STS, the in-use sources), as a user points the CLI at the emulator.
  if (endpoint !== undefined) env.AWS_ENDPOINT_URL = endpoint;
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

/**
 * Registers hooks (in the calling file or `describe`) that create one temporary directory before
 * its first test and remove it after its last. Read `dir` inside hooks and tests only.
 */
export function useTempDir(): { readonly dir: string } {
  const temp = { dir: '' };
  let cleanup: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    ({ dir: temp.dir, cleanup } = await tempDir());
  });
  afterAll(async () => {
    await cleanup?.();
  });
  return temp;
}

/** What {@link useCliScenario} sets up: read its fields inside hooks and tests, not at import time. */
export interface CliScenario {
  /** A fresh emulator for each test; a test may stop it and assign another, which is then stopped after it. */
  emulator: RunningEmulator;
  /** A temporary directory for the whole file, removed after its last test. */
  dir: string;
  /** The path of the rules file written into `dir`. */
  rules: string;
}

/**
 * Registers the hooks the CLI end-to-end files share: one temporary directory holding a rules file
 * for the whole file, and an emulator started from `state()` before each test and stopped after it.
 * `state` is a function so a state relative to the real clock is taken when each test starts.
 */
export function useCliScenario(options: { state: () => StateFile; rulesFile: string; rulesText: string }): CliScenario {
  const scenario = {} as CliScenario;
  const temp = useTempDir();
  beforeAll(async () => {
    scenario.dir = temp.dir;
    scenario.rules = await writeText(temp.dir, options.rulesFile, options.rulesText);
  });
  beforeEach(async () => {
    scenario.emulator = await startEmulator({ port: 0, state: options.state() });
  });
  afterEach(async () => {
    await scenario.emulator.stop();
  });
  return scenario;
}
