/**
 * Every run id the engine makes itself has the one documented format (`lib/run-id.ts`), including
 * a CLI `apply --checkpoint` first run, where the CLI leaves the id to the engine so a resumed run
 * can keep its checkpoint's id.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileCheckpointStore } from '../../lib/adapters/checkpoint-file.js';
import { runSweep } from '../../lib/engine/sweep.js';
import { startFixture, type EmulatorFixture } from './support/emulator.js';
import { ruleSet, untaggedOlderThan } from './support/rules.js';
import { ecrRegistry } from '../../lib/adapters/ecr-registry-connector.js';

const NOW_ISO = '2026-06-01T00:00:00.000Z';
const RULES = ruleSet([untaggedOlderThan(7)]);
const RUN_ID = /^\d{8}T\d{6}Z-[0-9a-f]{8}$/;

const fixtures: EmulatorFixture[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(fixtures.splice(0).map((f) => f.emulator.stop()));
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function fixture(): Promise<EmulatorFixture> {
  const f = await startFixture({ now: NOW_ISO, generate: { seed: 3, repositories: 2, imagesPerRepository: [5, 10] } });
  fixtures.push(f);
  return f;
}

describe('run ids made by the engine', () => {
  it.each([['dry-run'], ['apply']] as const)('%s without a run id gets the documented format', async (mode) => {
    const { ecr } = await fixture();
    const { result } = await runSweep({ registry: ecrRegistry(ecr) }, { ruleSet: RULES, now: Date.parse(NOW_ISO), mode });
    expect(result.runId).toMatch(RUN_ID);
  });

  it('an apply run with a checkpoint and no earlier run gets the documented format', async () => {
    const { ecr } = await fixture();
    const dir = await mkdtemp(join(tmpdir(), 'run-id-'));
    dirs.push(dir);
    const checkpoint = new FileCheckpointStore(join(dir, 'checkpoint.json'));
    const { result } = await runSweep({ registry: ecrRegistry(ecr), checkpoint }, { ruleSet: RULES, now: Date.parse(NOW_ISO), mode: 'apply' });
    expect(result.runId).toMatch(RUN_ID);
  });
});
