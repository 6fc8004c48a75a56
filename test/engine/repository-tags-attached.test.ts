/**
 * Repositories selected by resource tag and `lifecyclePolicy: attached`, end to end on the ECR
 * emulator through the real SDK: which repositories are read how (ListTagsForResource once per
 * repository only when a policy selects by tag, GetLifecyclePolicy only under an attached
 * policy), what each is planned with, and that a repository whose tags or policy cannot be used
 * is failed or left untouched, never governed by a guess.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { StateFile } from '../../emulator/types.js';
import { parseRules } from '../../lib/core/rules-parser.js';
import { buildPlan, runSweep } from '../../lib/engine/sweep.js';
import { startFixture, type EmulatorFixture } from './support/emulator.js';
import { recordCommands } from './support/record-commands.js';
import { ecrRegistry } from '../../lib/adapters/ecr-registry-connector.js';

const NOW_ISO = '2026-06-01T00:00:00.000Z';
const NOW = Date.parse(NOW_ISO);

/** Keep the 2 newest v* releases, expire untagged images after 7 days. */
const ATTACHED = JSON.stringify({
  rules: [
    { rulePriority: 1, description: 'keep 2 releases', selection: { tagStatus: 'tagged', tagPrefixList: ['v'], countType: 'imageCountMoreThan', countNumber: 2 }, action: { type: 'expire' } },
    { rulePriority: 2, description: 'untagged after a week', selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 7 }, action: { type: 'expire' } },
  ],
});

const RULES = parseRules(
  [
    'version: 1',
    'defaults: { minAge: 3d }',
    'protect: { tags: [v1] }',
    'policies:',
    '  - name: data',
    '    repositories: { tags: { team: data } }',
    '    rules:',
    '      - id: untagged',
    '        select: { tagStatus: untagged }',
    '        when: { sinceImagePushed: 1d }',
    '  - name: own-policies',
    '    repositories: { include: ["apps/**"] }',
    '    lifecyclePolicy: attached',
    '',
  ].join('\n'),
  { file: 'rules.yml' },
);

const STATE: StateFile = {
  repositories: [
    { name: 'data/etl', tags: { team: 'data', env: 'prod' }, images: [{ pushedAt: '-10d' }, { pushedAt: '-2d' }, { tags: ['latest'], pushedAt: '-20d' }] },
    { name: 'data/web-ish', tags: { team: 'Data' }, images: [{ pushedAt: '-10d' }] },
    { name: 'misc/untagged-repo', images: [{ pushedAt: '-10d' }] },
    {
      name: 'apps/api',
      tags: { team: 'web' },
      lifecyclePolicyText: ATTACHED,
      images: [
        { tags: ['v1'], pushedAt: '-40d' },
        { tags: ['v2'], pushedAt: '-30d' },
        { tags: ['v3'], pushedAt: '-20d' },
        { tags: ['v4'], pushedAt: '-10d' },
        { pushedAt: '-9d' },
        { pushedAt: '-1d' },
      ],
    },
    { name: 'apps/no-policy', images: [{ pushedAt: '-90d' }] },
    { name: 'apps/bad-policy', lifecyclePolicyText: ATTACHED.replace('"untagged"', '"tagged"'), images: [{ pushedAt: '-90d' }] },
  ],
};

const fixtures: EmulatorFixture[] = [];
afterEach(async () => {
  await Promise.all(fixtures.splice(0).map((f) => f.emulator.stop()));
});

async function fixture(): Promise<EmulatorFixture> {
  const f = await startFixture({ now: NOW_ISO, state: STATE });
  fixtures.push(f);
  return f;
}

describe('repositories by tag and attached lifecycle policies, on the emulator', () => {
  it('plans team=data repositories with the rules and apps/** with their own attached policies, protections on top', async () => {
    const { ecr } = await fixture();
    const sent = recordCommands(ecr);
    const { plan, result } = await runSweep({ registry: ecrRegistry(ecr) }, { ruleSet: RULES, now: NOW, mode: 'dry-run' });
    const byName = new Map(plan.repositories.map((r) => [r.repositoryName, r]));

    // Tag-selected: only the exact tag team=data.
    const etl = byName.get('data/etl')!;
    expect([etl.policy, etl.status, etl.counts.delete]).toEqual(['data', 'planned', 1]);
    expect(etl.images.find((i) => i.decision === 'delete')?.reason).toMatch(/^delete: untagged, pushed 10d ago > 1d/);
    expect(byName.get('data/web-ish')?.status).toBe('unmanaged');
    expect(byName.get('misc/untagged-repo')?.status).toBe('unmanaged');

    // Attached: what ECR would expire (v1, v2, the 9-day untagged image), less what protections keep.
    const api = byName.get('apps/api')!;
    expect([api.policy, api.status, api.rulesFrom]).toEqual(['own-policies', 'planned', 'attached-lifecycle-policy']);
    const decisions = Object.fromEntries(api.images.map((i) => [i.imageTags[0] ?? `untagged-${i.pushedAt?.slice(8, 10)}`, `${i.decision} ${i.rule ?? '-'}`]));
    expect(decisions).toEqual({
      v1: 'keep -', // protect.tags: ECR would delete it
      v2: 'delete priority-1',
      v3: 'keep priority-1',
      v4: 'keep priority-1',
      'untagged-23': 'delete priority-2',
      'untagged-31': 'keep priority-2', // younger than 7 days: ECR keeps it too
    });
    expect(api.images.find((i) => i.imageTags[0] === 'v1')?.reason).toBe("keep: protected tag 'v1' (rule priority-1 would delete it)");

    // No attached policy: reported as such, untouched, not even listed.
    expect(byName.get('apps/no-policy')).toMatchObject({ status: 'no-lifecycle-policy', policy: 'own-policies', statusReason: /no lifecycle policy is attached/, images: [] });
    // An attached policy ecr-sweeper cannot read exactly fails the repository with the parser's message.
    expect(byName.has('apps/bad-policy')).toBe(false);
    const bad = result.repositories.find((r) => r.repositoryName === 'apps/bad-policy')!;
    expect(bad).toMatchObject({ status: 'failed', policy: 'own-policies', error: { code: 'InvalidAttachedLifecyclePolicy' } });
    expect(bad.statusReason).toMatch(/^its attached lifecycle policy is not valid \(1 problem\): .*rule priority 2: tagStatus "tagged" requires tagPatternList or tagPrefixList/);
    expect(result.repositories.find((r) => r.repositoryName === 'apps/no-policy')?.status).toBe('no-lifecycle-policy');

    // Calls: tags once per repository (the tag policy comes first, so every repository could be
    // one of its own), lifecycle policies only under the attached policy, listings only where planned.
    const count = (command: string) => sent.filter((s) => s.command === command);
    expect(count('ListTagsForResource').map((s) => s.input.resourceArn).sort()).toEqual(
      STATE.repositories.map((r) => `arn:aws:ecr:us-east-1:123456789012:repository/${r.name}`).sort(),
    );
    expect(count('GetLifecyclePolicy').map((s) => s.input.repositoryName).sort()).toEqual(['apps/api', 'apps/bad-policy', 'apps/no-policy']);
    expect([...new Set(count('DescribeImages').map((s) => s.input.repositoryName))].sort()).toEqual(['apps/api', 'data/etl']);
  });

  it('reads no tags when no policy selects by tag, and only where a tag policy could govern', async () => {
    const { ecr } = await fixture();
    const sent = recordCommands(ecr);
    const byName = parseRules(
      ['version: 1', 'policies:', '  - name: apps', '    repositories: { include: ["apps/**"] }', '    lifecyclePolicy: attached', ''].join('\n'),
    );
    await buildPlan({ registry: ecrRegistry(ecr) }, { ruleSet: byName, now: NOW });
    expect(sent.filter((s) => s.command === 'ListTagsForResource')).toEqual([]);

    sent.length = 0;
    const narrow = parseRules(
      [
        'version: 1',
        'protect: { repositories: ["data/web-ish"] }',
        'policies:',
        '  - name: apps',
        '    repositories: { include: ["apps/**"] }',
        '    lifecyclePolicy: attached',
        '  - name: data',
        '    repositories: { include: ["data/**"], tags: { team: data } }',
        '    rules: [{ id: untagged, select: { tagStatus: untagged }, when: { sinceImagePushed: 1d } }]',
        '',
      ].join('\n'),
    );
    const plan = await buildPlan({ registry: ecrRegistry(ecr) }, { ruleSet: narrow, now: NOW });
    // apps/** are governed by name first, data/web-ish is protected, misc/* matches no glob.
    expect(sent.filter((s) => s.command === 'ListTagsForResource').map((s) => s.input.resourceArn)).toEqual(['arn:aws:ecr:us-east-1:123456789012:repository/data/etl']);
    expect(plan.repositories.find((r) => r.repositoryName === 'data/etl')?.policy).toBe('data');
  });

  it('fails a repository whose tags cannot be read (fail closed), with the reason, and plans the others', async () => {
    const { ecr } = await fixture();
    const original = ecr.send.bind(ecr) as (command: unknown, options?: unknown) => Promise<unknown>;
    (ecr as unknown as { send: unknown }).send = (command: { constructor: { name: string }; input: { resourceArn?: string } }, options?: unknown) => {
      if (command.constructor.name === 'ListTagsForResourceCommand' && command.input.resourceArn?.endsWith('/data/etl')) {
        const error = Object.assign(new Error('User is not authorized to perform: ecr:ListTagsForResource'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } });
        return Promise.reject(error);
      }
      return original(command, options);
    };
    const { plan, result } = await runSweep({ registry: ecrRegistry(ecr) }, { ruleSet: RULES, now: NOW, mode: 'dry-run' });
    expect(plan.repositories.some((r) => r.repositoryName === 'data/etl')).toBe(false);
    expect(result.repositories.find((r) => r.repositoryName === 'data/etl')).toMatchObject({
      status: 'failed',
      policy: null,
      statusReason: 'could not read its resource tags (ListTagsForResource): AccessDeniedException',
      error: { code: 'AccessDeniedException', message: 'User is not authorized to perform: ecr:ListTagsForResource' },
      images: [],
    });
    expect(result.totals.failedRepositories).toBe(2); // and apps/bad-policy
    expect(plan.repositories.find((r) => r.repositoryName === 'apps/api')?.status).toBe('planned');
  });

  it('warns when a tag policy governs no repository (a misspelt value), and not under a repository filter', async () => {
    const { ecr } = await fixture();
    const misspelt = parseRules(
      ['version: 1', 'policies:', '  - name: data', '    repositories: { tags: { team: DATA } }', '    rules: [{ id: untagged, select: { tagStatus: untagged }, when: { sinceImagePushed: 1d } }]', ''].join('\n'),
    );
    const plan = await buildPlan({ registry: ecrRegistry(ecr) }, { ruleSet: misspelt, now: NOW });
    expect(plan.warnings.filter((w) => w.code === 'policy-tags-match-nothing')).toEqual([
      {
        code: 'policy-tags-match-nothing',
        message: "policy 'data' selects repositories tagged team=DATA, and none of the 6 repositories whose tags were read has them all (tags match exactly, case-sensitive), so it governs nothing",
      },
    ]);
    // RULES' data policy governs data/etl: no warning.
    expect((await buildPlan({ registry: ecrRegistry(ecr) }, { ruleSet: RULES, now: NOW })).warnings.map((w) => w.code)).not.toContain('policy-tags-match-nothing');
    // With a repository filter the policy may just have been filtered away: no warning either.
    expect((await buildPlan({ registry: ecrRegistry(ecr) }, { ruleSet: misspelt, now: NOW, repositoryFilter: 'apps/**' })).warnings.map((w) => w.code)).not.toContain('policy-tags-match-nothing');
  });

  it('apply deletes what the attached policy and the tag policy planned, and nothing in the others', async () => {
    const { emulator, ecr } = await fixture();
    const before = new Map(emulator.repositories().map((r) => [r.repositoryName, r.imageCount]));
    const { result } = await runSweep({ registry: ecrRegistry(ecr) }, { ruleSet: RULES, now: NOW, mode: 'apply' });
    expect(result.totals.deleted).toBe(3);
    // The call figures count the tag and policy reads like every other call.
    expect(result.apiCalls).toMatchObject({ ListTagsForResource: 6, GetLifecyclePolicy: 3 });
    const after = new Map(emulator.repositories().map((r) => [r.repositoryName, r.imageCount]));
    expect(after.get('apps/api')).toBe(before.get('apps/api')! - 2);
    expect(after.get('data/etl')).toBe(before.get('data/etl')! - 1);
    for (const name of ['data/web-ish', 'misc/untagged-repo', 'apps/no-policy', 'apps/bad-policy']) expect(after.get(name)).toBe(before.get(name));
  });
});
