/**
 * Packaging the service with osls from the tests. serverless-esbuild builds in `<root>/.esbuild`,
 * copies into `<root>/.serverless` and removes `.esbuild` when it is done, so two packagings of
 * the same folder at once (vitest runs test files in parallel workers) break each other: one
 * removes the build folder the other is zipping from. Every packaging of a folder therefore holds
 * a lock shared across processes for as long as it runs.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Environment with no usable AWS credentials: packaging must not need any. */
function offlineEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) {
    if (key.startsWith('AWS_') && key !== 'AWS_CA_BUNDLE') delete env[key];
  }
  return env;
}

const POLL_MS = 250;

function ownerAlive(lockDir: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(join(lockDir, 'pid'), 'utf8'));
  } catch {
    // Created but its pid not written yet: the owner is alive (it writes the pid right away).
    return true;
  }
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Runs `work` while holding the lock `lockDir` (a directory: `mkdir` is atomic), across processes.
 * A lock whose owning process is gone (a worker killed mid-packaging) is taken over.
 *
 * @throws Error when the lock is not free within `timeoutMs`.
 */
export async function withFolderLock<T>(lockDir: string, work: () => Promise<T>, timeoutMs = 600_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    try {
      mkdirSync(lockDir);
      writeFileSync(join(lockDir, 'pid'), String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (!ownerAlive(lockDir)) {
        rmSync(lockDir, { recursive: true, force: true });
        continue;
      }
      if (Date.now() - started > timeoutMs) throw new Error(`the packaging lock ${lockDir} was not free within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }
  try {
    return await work();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

/**
 * Runs a packaging command (`npx osls package ...`, `npm run package ...`) in the service folder
 * `root`, offline, one at a time per folder.
 */
export async function packageService(root: string, command: string, args: readonly string[], timeoutMs = 240_000): Promise<void> {
  // In the temp folder, not the service's: osls would pack a lock file found there.
  const lockDir = join(tmpdir(), `ecr-sweeper-package-${createHash('sha256').update(root).digest('hex').slice(0, 16)}.lock`);
  await withFolderLock(lockDir, async () => {
    await run(command, [...args], { cwd: root, env: offlineEnv(), timeout: timeoutMs });
  });
}
