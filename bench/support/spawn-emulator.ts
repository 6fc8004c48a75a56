/**
 * Starts `emulator-child.ts` in its own process for a benchmark, so the measured process's memory
 * does not include the emulator's registry; resolves once the child prints its URL.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { EmulatorOptions } from '../../emulator/index.js';

const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..');

/** Spawns the emulator child with `options`; stop it with `child.kill('SIGTERM')`. */
export async function spawnEmulator(options: EmulatorOptions): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/support/emulator-child.ts', JSON.stringify(options)], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`emulator child exited with ${code}`)));
  });
  return { url, child };
}
