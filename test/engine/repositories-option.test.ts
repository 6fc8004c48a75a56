/**
 * `repositories` (a Step Functions shard's list of one target's repositories): only those exact
 * names are listed and planned, combined with the glob filter; a name the registry lacks is a
 * plan warning, never an error; apply deletes only in the listed repositories.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { buildPlan, hashRules, runSweep } from '../../lib/engine/sweep.js';
import { imageKeys, startFixture, type EmulatorFixture } from './support/emulator.js';
import { ruleSet, untaggedOlderThan } from './support/rules.js';
import { ecrRegistry } from '../../lib/adapters/ecr-registry-connector.js';

const NOW_ISO = '2026-06-01T00:00:00.000Z';
const NOW = Date.parse(NOW_ISO);
const RULES = ruleSet([untaggedOlderThan(7)]);
const GENERATE = { seed: 11, repositories: 5, imagesPerRepository: [10, 20] as [number, number] };

const fixtures: EmulatorFixture[] = [];
afterEach(async () => {
  await Promise.all(fixtures.splice(0).map((f) => f.emulator.stop()));
});

async function fixture(): Promise<EmulatorFixture> {
  const f = await startFixture({ now: NOW_ISO, generate: GENERATE });
  fixtures.push(f);
  return f;
}

describe('the repositories option', () => {
  it('plans exactly the named repositories, and lists the images of no other', async () => {
    const { ecr, emulator } = await fixture();
    const all = emulator.repositories().map((r) => r.repositoryName).sort();
    expect(all.length).toBe(5);
    const chosen = [all[3]!, all[1]!];
    emulator.resetStats();
    const plan = await buildPlan({ registry: ecrRegistry(ecr) }, { ruleSet: RULES, now: NOW, repositories: chosen });
    expect(plan.repositories.map((r) => r.repositoryName)).toEqual([all[1], all[3]]);
    expect(plan.warnings.filter((w) => w.code === 'repository-not-found')).toEqual([]);
    const describeImages = emulator.stats().requests.DescribeImages ?? 0;
    const listImages = emulator.stats().requests.ListImages ?? 0;
    expect(describeImages + listImages).toBeGreaterThan(0);
    // Only two repositories' images were read: a third would need at least one more call.
    const full = await fixture();
    full.emulator.resetStats();
    await buildPlan({ registry: ecrRegistry(full.ecr) }, { ruleSet: RULES, now: NOW });
    const fullCalls = (full.emulator.stats().requests.DescribeImages ?? 0) + (full.emulator.stats().requests.ListImages ?? 0);
    expect(describeImages + listImages).toBeLessThan(fullCalls);
  });

  it('combines with the glob filter: a name must pass both', async () => {
    const { ecr, emulator } = await fixture();
    const all = emulator.repositories().map((r) => r.repositoryName).sort();
    const plan = await buildPlan({ registry: ecrRegistry(ecr) }, { ruleSet: RULES, now: NOW, repositories: [all[0]!, all[2]!], repositoryFilter: all[2]! });
    expect(plan.repositories.map((r) => r.repositoryName)).toEqual([all[2]]);
    const neither = await buildPlan({ registry: ecrRegistry(ecr) }, { ruleSet: RULES, now: NOW, repositories: [all[0]!], repositoryFilter: all[2]! });
    expect(neither.repositories).toEqual([]);
  });

  it('a name the registry lacks is a warning naming it, and the others are planned', async () => {
    const { ecr, emulator } = await fixture();
    const all = emulator.repositories().map((r) => r.repositoryName).sort();
    const plan = await buildPlan({ registry: ecrRegistry(ecr) }, { ruleSet: RULES, now: NOW, repositories: ['gone/away', all[0]!, 'gone/away'] });
    expect(plan.repositories.map((r) => r.repositoryName)).toEqual([all[0]]);
    const missing = plan.warnings.filter((w) => w.code === 'repository-not-found');
    expect(missing).toHaveLength(1);
    expect(missing[0]!.repositoryName).toBe('gone/away');
    expect(missing[0]!.message).toContain('gone/away');
  });

  it('an empty list plans nothing (not the whole registry)', async () => {
    const { ecr } = await fixture();
    const plan = await buildPlan({ registry: ecrRegistry(ecr) }, { ruleSet: RULES, now: NOW, repositories: [] });
    expect(plan.repositories).toEqual([]);
  });

  it('apply deletes only in the named repositories, exactly their plan', async () => {
    const { ecr, emulator } = await fixture();
    const all = emulator.repositories().map((r) => r.repositoryName).sort();
    const before = imageKeys(emulator);
    const chosen = [all[0]!, all[4]!];
    const { plan, result } = await runSweep({ registry: ecrRegistry(ecr) }, { ruleSet: RULES, now: NOW, mode: 'apply', repositories: chosen, rateControl: { minRate: 200 } });
    const planned = plan.repositories.flatMap((r) => r.images.filter((i) => i.decision === 'delete').map((i) => `${r.repositoryName}@${i.imageDigest}`));
    expect(planned.length).toBeGreaterThan(0);
    expect(result.totals.deleted).toBe(planned.length);
    expect(imageKeys(emulator)).toEqual(before.filter((k) => !planned.includes(k)));
    expect(planned.every((k) => chosen.some((name) => k.startsWith(`${name}@`)))).toBe(true);
  });

  it('the checkpoint hash tells shards apart and leaves runs without a list unchanged', () => {
    expect(hashRules(RULES, undefined, ['a', 'b'])).toBe(hashRules(RULES, undefined, ['b', 'a', 'a']));
    expect(hashRules(RULES, undefined, ['a'])).not.toBe(hashRules(RULES, undefined, ['b']));
    expect(hashRules(RULES, undefined, [])).not.toBe(hashRules(RULES));
    expect(hashRules(RULES, undefined, undefined)).toBe(hashRules(RULES));
  });
});
