/**
 * `apply` interrupted, through the real launcher in a child process against an emulator that
 * answers slowly: `kill -9` leaves a journal listing every image missing from the registry and a
 * checkpoint, and the next run merges the journal into its result; SIGINT stops between batches,
 * writes the result and says so on stderr (exit 130).
 */
import { spawn } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../emulator/index.js';
import type { StateFile } from '../../emulator/types.js';
import type { Plan } from '../../lib/core/plan-model.js';
import type { SweepResult } from '../../lib/core/result-model.js';
import type { JournalRecord } from '../../lib/engine/types.js';
import { BIN, cliEnv, REPO_ROOT, runCliProcess, tempDir, writeText } from './cli-harness.js';
import { rulesYaml } from './fixtures.js';

const REPOSITORIES = ['app/a', 'app/b', 'app/c', 'app/d', 'app/e'];

/** Five repositories of 30 old untagged images (one batch each) and one tagged image. */
function state(): StateFile {
  return {
    repositories: REPOSITORIES.map((name) => ({
      name,
      images: [{ tags: ['v1'], pushedAt: '-40d' }, ...Array.from({ length: 30 }, () => ({ pushedAt: '-30d' }))],
    })),
  };
}

let emulator: RunningEmulator | undefined;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await emulator?.stop();
  emulator = undefined;
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

async function setup(): Promise<{ emulator: RunningEmulator; dir: string; rules: string; out: string; checkpoint: string; journal: string; args: string[] }> {
  // Every answer takes 80 ms: a batch (re-read, then delete) takes about 160 ms, the run about 1.5 s.
  emulator = await startEmulator({ port: 0, state: state(), latencyMs: 80 });
  const { dir, cleanup } = await tempDir();
  cleanups.push(cleanup);
  const rules = await writeText(dir, 'rules.yml', rulesYaml());
  const out = join(dir, 'out');
  const checkpoint = join(dir, 'checkpoint.json');
  const args = ['apply', '--rules', rules, '--yes', '--out', out, '--checkpoint', checkpoint, '--concurrency', '1', '--endpoint-url', emulator.url];
  return { emulator, dir, rules, out, checkpoint, journal: join(out, 'result.journal.jsonl'), args };
}

/** `repo@digest` of every image in the registry. */
function imageKeys(e: RunningEmulator): Set<string> {
  return new Set(e.repositories().flatMap((r) => e.images(r.repositoryName).map((i) => `${r.repositoryName}@${i.imageDigest}`)));
}

async function readJournal(path: string): Promise<JournalRecord[]> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as JournalRecord);
}

const keyOf = (r: JournalRecord): string => `${r.repositoryName}@${'imageDigest' in r ? r.imageDigest : ''}`;

/**
 * Starts the CLI, waits until the journal records its first deleted image, sends `signal`, and
 * resolves with the exit code (or the signal that ended it) and stderr.
 */
function runUntilFirstDeletion(args: string[], env: Record<string, string>, journal: string, signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.resume();
    let sent = false;
    const poll = setInterval(() => {
      void readFile(journal, 'utf8').then(
        (text) => {
          if (!sent && text.includes('"answer":"deleted"')) {
            sent = true;
            child.kill(signal);
          }
        },
        () => undefined,
      );
    }, 10);
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('exit', (code, exitSignal) => {
      clearInterval(poll);
      clearTimeout(timer);
      if (!sent) reject(new Error(`the CLI ended before its first deletion was journaled (code ${code}):\n${stderr}`));
      else resolve({ code, signal: exitSignal, stderr });
    });
  });
}

describe('apply interrupted', () => {
  it('kill -9: the journal lists exactly what is missing from the registry; the next run (another --out) resumes and reports it', async () => {
    const s = await setup();
    const env = cliEnv(s.emulator.url);
    const before = imageKeys(s.emulator);

    const killed = await runUntilFirstDeletion(s.args, env, s.journal, 'SIGKILL');
    expect(killed.signal).toBe('SIGKILL');
    const missing = [...before].filter((k) => !imageKeys(s.emulator).has(k)).sort();
    // The journal of record lives next to the checkpoint (written first); the copy in --out is
    // written right after each append, so a kill between the two leaves the copy a prefix of it.
    const journal = await readJournal(`${s.checkpoint}.journal.jsonl`);
    const copy = await readJournal(s.journal);
    expect(journal.slice(0, copy.length)).toEqual(copy);
    const plan = JSON.parse(await readFile(join(s.out, 'plan.json'), 'utf8')) as Plan;
    const planned = plan.repositories.flatMap((r) => r.images.filter((i) => i.decision === 'delete').map((i) => `${r.repositoryName}@${i.imageDigest}`));
    // Killed part-way: some deletions made, some not.
    expect(missing.length).toBeGreaterThan(0);
    expect(missing.length).toBeLessThan(planned.length);
    // Every image missing from the registry was recorded before its call; every image recorded deleted is missing.
    const sentKeys = new Set(journal.filter((r) => r.event === 'sending').map(keyOf));
    const deletedKeys = journal.filter((r) => r.event === 'delete-answer' && r.answer === 'deleted').map(keyOf).sort();
    expect(missing.filter((k) => !sentKeys.has(k))).toEqual([]);
    expect(deletedKeys.filter((k) => !missing.includes(k))).toEqual([]);
    // A call answered is journaled before the next is sent: at most the call in flight is unanswered.
    const answered = new Set(journal.filter((r) => r.event === 'delete-answer').map(keyOf));
    expect([...sentKeys].filter((k) => !answered.has(k)).length).toBeLessThanOrEqual(30);
    // plan.json names the run; the journal lines and the checkpoint carry the same id.
    expect(plan.runId).toMatch(/^\d{8}T\d{6}Z-[0-9a-f]{8}$/);
    expect(new Set(journal.map((r) => r.runId))).toEqual(new Set([plan.runId]));
    // The checkpoint names a part per planned repository (the plans are in the parts beside it).
    const checkpoint = JSON.parse(await readFile(s.checkpoint, 'utf8')) as { runId: string; planParts: unknown[] };
    expect(checkpoint.runId).toBe(plan.runId);
    expect(checkpoint.planParts).toHaveLength(REPOSITORIES.length);
    await expect(stat(join(s.out, 'result.json'))).rejects.toMatchObject({ code: 'ENOENT' });

    // The sweep's journal lives next to the checkpoint, so a run with another --out still finds it.
    const out2 = join(s.dir, 'out-2');
    const resumed = await runCliProcess(s.args.map((a) => (a === s.out ? out2 : a)), { env });
    expect(resumed.code, resumed.stderr).toBe(0);
    const result = JSON.parse(await readFile(join(out2, 'result.json'), 'utf8')) as SweepResult;
    expect(result.runId).toBe(plan.runId);
    expect(result.totals.deleted).toBe(planned.length);
    expect(imageKeys(s.emulator)).toEqual(new Set([...before].filter((k) => !planned.includes(k))));
    // The killed run's deletions are in the result as deletions (not "already gone"), bytes included.
    const outcome = (key: string) => {
      const [repository, digest] = key.split('@') as [string, string];
      return result.repositories.find((r) => r.repositoryName === repository)?.images.find((i) => i.imageDigest === digest)?.outcome;
    };
    for (const key of missing) expect(outcome(key)).toEqual({ status: 'deleted' });
    await expect(stat(s.checkpoint)).rejects.toMatchObject({ code: 'ENOENT' });
  }, 90_000);

  it('SIGINT: stops between batches, writes the result, says so on stderr and exits 130', async () => {
    const s = await setup();
    const env = cliEnv(s.emulator.url);
    const before = imageKeys(s.emulator);

    const stopped = await runUntilFirstDeletion(s.args, env, s.journal, 'SIGINT');
    expect(stopped.code, stopped.stderr).toBe(130);
    expect(stopped.stderr).toContain('SIGINT received: stopping after the batches in flight, then writing the result');
    expect(stopped.stderr).toMatch(/interrupted by SIGINT: stopped between batches after \d+ deletion\(s\); the result is in .*report\.html/);
    const result = JSON.parse(await readFile(join(s.out, 'result.json'), 'utf8')) as SweepResult;
    const plan = JSON.parse(await readFile(join(s.out, 'plan.json'), 'utf8')) as Plan;
    expect(result.interrupted).toBe('SIGINT');
    expect(result.runId).toBe(plan.runId);
    const missing = [...before].filter((k) => !imageKeys(s.emulator).has(k));
    expect(result.totals.deleted).toBe(missing.length);
    expect(result.totals.deleted).toBeLessThan(plan.summary.delete);
    expect(result.totals.skipped).toBe(plan.summary.delete - missing.length);
    expect(result.remainingRepositories.length).toBeGreaterThan(0);
    const journal = await readJournal(s.journal);
    expect(journal.filter((r) => r.event === 'delete-answer' && r.answer === 'deleted')).toHaveLength(missing.length);

    // The checkpoint was left: the next run continues the same sweep and finishes it.
    const resumed = await runCliProcess(s.args, { env });
    expect(resumed.code, resumed.stderr).toBe(0);
    const final = JSON.parse(await readFile(join(s.out, 'result.json'), 'utf8')) as SweepResult;
    expect(final.runId).toBe(plan.runId);
    expect(final.interrupted).toBeUndefined();
    expect(final.totals.deleted).toBe(plan.summary.delete);
  }, 90_000);
});
