/**
 * The run's repository filter (`--repository`, the plan event's `repositories`) is a repository
 * glob like the rules': matched in linear time against names whoever creates a repository picks,
 * and refused before any ECR call when it is outside the glob syntax.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RepositoryGlobError } from '../../lib/core/repository-glob.js';
import { buildPlan } from '../../lib/engine/sweep.js';
import { ConfigError } from '../../lib/errors.js';
import { startFixture, type EmulatorFixture } from './support/emulator.js';
import { ruleSet, untaggedOlderThan } from './support/rules.js';
import { ecrRegistry } from '../../lib/adapters/ecr-registry-connector.js';

const NOW_ISO = '2026-06-01T00:00:00.000Z';
const NOW = Date.parse(NOW_ISO);
const RULES = ruleSet([untaggedOlderThan(7)]);
const LONG = 'a'.repeat(250);

const fixtures: EmulatorFixture[] = [];
afterEach(async () => {
  await Promise.all(fixtures.splice(0).map((f) => f.emulator.stop()));
});

async function fixture(): Promise<EmulatorFixture> {
  const f = await startFixture({ now: NOW_ISO, state: { repositories: [{ name: LONG, images: [] }, { name: `${LONG}b`, images: [] }, { name: 'app', images: [] }] } });
  fixtures.push(f);
  return f;
}

describe('the repository filter', () => {
  it('a many-wildcard filter against 250-character names decides', { timeout: 10_000 }, async () => {
    const { ecr } = await fixture();
    const plan = await buildPlan({ registry: ecrRegistry(ecr) }, { ruleSet: RULES, now: NOW, repositoryFilter: '*a*a*a*a*a*a*a*a*b' });
    expect(plan.repositories.map((r) => r.repositoryName)).toEqual([`${LONG}b`]);
  });

  it('outside the glob syntax: a configuration error before any ECR call', async () => {
    const { ecr, emulator } = await fixture();
    emulator.resetStats();
    const error = await buildPlan({ registry: ecrRegistry(ecr) }, { ruleSet: RULES, now: NOW, repositoryFilter: '!app' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RepositoryGlobError);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe('invalid repository glob "!app": negation ("!") is not supported; list the repositories to leave out under exclude');
    expect(Object.values(emulator.stats().requests).reduce((a, b) => a + (b ?? 0), 0)).toBe(0);
  });
});
