import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { withFolderLock } from './package-service.js';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('withFolderLock (one osls packaging per service folder at a time)', () => {
  it('never lets two holders overlap, and frees the lock after a failure', async () => {
    dir = mkdtempSync(join(tmpdir(), 'ecr-sweeper-lock-test-'));
    const lock = join(dir, 'lock');
    const events: string[] = [];
    const holder = (name: string, fail: boolean) =>
      withFolderLock(lock, async () => {
        events.push(`${name} in`);
        await new Promise((r) => setTimeout(r, 300));
        events.push(`${name} out`);
        if (fail) throw new Error(`${name} failed`);
      });
    const outcomes = await Promise.allSettled([holder('a', true), holder('b', false), holder('c', false)]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'fulfilled', 'fulfilled']);
    // Each "in" is followed by its own "out" before anyone else gets in.
    for (let i = 0; i < events.length; i += 2) expect(events[i + 1]).toBe(events[i]!.replace(' in', ' out'));
    expect(events).toHaveLength(6);
    expect(existsSync(lock)).toBe(false);
  });

  it('takes over a lock whose owner process is gone', async () => {
    dir = mkdtempSync(join(tmpdir(), 'ecr-sweeper-lock-test-'));
    const lock = join(dir, 'lock');
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    mkdirSync(lock);
    writeFileSync(join(lock, 'pid'), dead.stdout);
    await expect(withFolderLock(lock, async () => 'ran', 5_000)).resolves.toBe('ran');
  });

  it('waits for a live owner and gives up with a clear error after the timeout', async () => {
    dir = mkdtempSync(join(tmpdir(), 'ecr-sweeper-lock-test-'));
    const lock = join(dir, 'lock');
    mkdirSync(lock);
    writeFileSync(join(lock, 'pid'), String(process.pid));
    await expect(withFolderLock(lock, async () => 'ran', 600)).rejects.toThrow(/was not free within 600 ms/);
    expect(existsSync(lock)).toBe(true);
  });
});
