/**
 * The in-use guarantee as a property, end to end: over random registries (plain images, indexes
 * with children, signatures), random rules and random usages (by tag, by digest, other
 * registries), `runSweep` in apply mode against the ECR emulator never deletes an image that an
 * in-use usage resolves to, nor one tied to it (its indexes, children, referrers, subject).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_IN_USE_SETTINGS } from '../../lib/core/in-use-settings.js';
import { inUseTies } from '../../lib/core/in-use-ties.js';
import { resolveInUse, type InUseUsage } from '../../lib/core/in-use.js';
import type { Rule, RuleSet } from '../../lib/core/rules-model.js';
import type { StateImage } from '../../emulator/types.js';
import { runSweep } from '../../lib/engine/sweep.js';
import { startFixture } from './support/emulator.js';
import { HOST, fixedReader } from './support/in-use.js';
import { keepNewest, ruleSet, taggedOlderThan, untaggedOlderThan } from './support/rules.js';
import { ecrRegistry } from '../../lib/adapters/ecr-registry-connector.js';

const imageArb = fc.record({
  tagged: fc.boolean(),
  ageDays: fc.integer({ min: 0, max: 40 }),
  kind: fc.constantFrom('plain', 'plain', 'index', 'signature'),
});
const ruleArb = fc.constantFrom<Rule>(untaggedOlderThan(3), taggedOlderThan(5, ['*'], 'tagged-old'), keepNewest(1, ['*'], 'newest-1'), untaggedOlderThan(0, 'untagged-all'));
const pickArb = fc.record({ by: fc.constantFrom('tag', 'digest', 'other-account', 'docker-hub'), k: fc.nat() });

function state(images: { tagged: boolean; ageDays: number; kind: string }[]): StateImage[] {
  const out: StateImage[] = [];
  images.forEach((image, i) => {
    const pushedAt = `-${image.ageDays}d`;
    const tags = image.tagged ? [`t${i}`] : [];
    const earlierTag = out.map((o) => o.tags?.[0]).find((t) => t !== undefined);
    if (image.kind === 'index') out.push({ tags, pushedAt, seed: `i${i}`, children: [{ seed: `c${i}a` }, { seed: `c${i}b` }] });
    else if (image.kind === 'signature' && earlierTag !== undefined) out.push({ pushedAt, seed: `s${i}`, subject: earlierTag, artifactType: 'application/vnd.dev.cosign.artifact.sig.v1+json' });
    else out.push({ tags, pushedAt, seed: `p${i}` });
  });
  return out;
}

describe('in-use property on the emulator (fast-check)', () => {
  it('no image in use, or tied to one, is ever deleted by an apply run', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(imageArb, { minLength: 1, maxLength: 7 }),
        fc.uniqueArray(ruleArb, { minLength: 1, maxLength: 3, selector: (r) => r.id }),
        fc.array(pickArb, { maxLength: 4 }),
        async (images, rules, picks) => {
          const f = await startFixture({ state: { repositories: [{ name: 'app', images: state(images) }] } });
          try {
            const listed = f.emulator.images('app');
            const usages: InUseUsage[] = picks.map((pick, n) => {
              const image = listed[pick.k % listed.length]!;
              const tag = image.imageTags[0];
              const reference =
                pick.by === 'tag' && tag !== undefined
                  ? `${HOST}/app:${tag}`
                  : pick.by === 'other-account'
                    ? `999999999999.dkr.ecr.us-east-1.amazonaws.com/app@${image.imageDigest}`
                    : pick.by === 'docker-hub'
                      ? `app@${image.imageDigest}`
                      : `${HOST}/app@${image.imageDigest}`;
              return { consumer: `ECS task prod/${n} (task definition app:${n})`, source: 'ecs', reference };
            });
            const rs: RuleSet = { ...ruleSet(rules), inUse: { ...DEFAULT_IN_USE_SETTINGS } };
            const { plan, result } = await runSweep(
              { registry: ecrRegistry(f.ecr), inUse: { readers: [fixedReader('ecs', 'ECS (all clusters)', usages), fixedReader('lambda', 'Lambda', [])] } },
              { ruleSet: rs, mode: 'apply', rateControl: { minRate: 200 } },
            );
            const app = plan.repositories.find((r) => r.repositoryName === 'app')!;
            const records = app.images.map((i) => ({ imageDigest: i.imageDigest, imageTags: i.imageTags }));
            const inUse = resolveInUse({ accountId: '123456789012', region: 'us-east-1' }, usages, [{ repositoryName: 'app', images: records }]).byRepository.get('app') ?? new Map();
            const held = inUseTies(app.images, inUse.keys());
            const left = new Set(f.emulator.images('app').map((i) => i.imageDigest));
            for (const digest of held.keys()) {
              expect(left.has(digest), `${digest} was deleted`).toBe(true);
              expect(app.images.find((i) => i.imageDigest === digest)!.decision).toBe('keep');
            }
            // Other registries are never matched by name.
            const foreign = usages.filter((u) => !u.reference.startsWith(HOST)).length;
            expect(plan.inUse!.counts.otherRegistry).toBe(foreign);
            expect(result.totals.failed).toBe(0);
          } finally {
            f.ecr.destroy();
            await f.emulator.stop();
          }
        },
      ),
      { numRuns: 15 },
    );
  });
});
