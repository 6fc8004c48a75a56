/**
 * The organization state machine's Start resolves `organization:` rules for real (issue 10): AWS
 * Organizations' accounts (ACTIVE only, an OU excluded), each account's enabled Regions through its
 * role (`regions: all`), and an account whose role cannot be assumed recorded as a failed target,
 * against the emulator and s3rver through the function's own environment.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { organizationSectionOf, type StateFile } from '../../emulator/index.js';
import type { Lane } from '../../lib/core/org-shards.js';
import { captureOutput, functionEnv, lambdaContext, readObject, startLocalCloud, writeRules, type Handler, type LocalCloud } from './support/harness.js';

const HOME = '123456789012';
const A = '111111111111';
const B = '222222222222';
const C = '333333333333';
const D = '444444444444';
const E = '555555555555';
const OU_PROD = 'ou-emu1-prod0001';
const OU_SANDBOX = 'ou-emu1-sandbox1';
const repo = { repositories: [{ name: 'app/web', images: [{ pushedAt: '-30d' }, { tags: ['v1'], pushedAt: '-30d' }] }] };

const STATE: StateFile = {
  repositories: [],
  accounts: {
    [A]: { roles: [{ name: 'EcrSweeperTarget' }], regions: { 'eu-west-1': repo, 'us-west-2': repo } },
    [B]: { roles: [{ name: 'EcrSweeperTarget' }], enabledRegions: ['eu-west-1'], regions: { 'eu-west-1': repo } },
    [C]: { roles: [{ name: 'EcrSweeperTarget' }], regions: { 'eu-west-1': repo } },
    [D]: { roles: [{ name: 'EcrSweeperTarget', assumable: false }], regions: { 'eu-west-1': repo } },
    [E]: { roles: [{ name: 'EcrSweeperTarget' }], regions: { 'eu-west-1': repo } },
  },
  organization: organizationSectionOf([A, B, C, D, E], {
    organizationalUnits: [{ id: OU_PROD }, { id: OU_SANDBOX }],
    parents: { [A]: OU_PROD, [B]: OU_PROD, [C]: OU_PROD, [D]: OU_PROD, [E]: OU_SANDBOX },
    suspended: [C],
  }),
};

const RULES = `version: 1
organization:
  roleName: EcrSweeperTarget
  regions: all
  accounts: { exclude: ["${HOME}"] }
  ous: { exclude: [${OU_SANDBOX}] }
policies:
  - name: apps
    repositories: { include: ["app/**"] }
    rules:
      - id: untagged-after-7d
        select: { tagStatus: untagged }
        when: { sinceImagePushed: 7d }
`;

let cloud: LocalCloud;
beforeEach(async () => {
  cloud = await startLocalCloud();
});
afterEach(async () => {
  vi.unstubAllEnvs();
  await cloud?.stop();
});

describe('organization sweep Start with organization: rules', () => {
  it('sweeps the ACTIVE accounts outside the excluded OU in their enabled Regions; a role that refuses is a failed target', async () => {
    cloud.emulator.loadState(STATE);
    const rulesPath = await writeRules(cloud, 'org.yml', RULES);
    for (const [key, value] of Object.entries(functionEnv(cloud, rulesPath))) vi.stubEnv(key, value);
    vi.resetModules();
    const start = (await import('../../functions/org-start.js')).handler as unknown as Handler;
    const output = captureOutput();
    let started: { run: { runId: string }; lanesKey: string; targets: number; failedTargets: number };
    try {
      started = (await start({ input: {}, executionName: 'test' }, lambdaContext())) as typeof started;
    } finally {
      output.restore();
    }
    expect(started).toMatchObject({ targets: 3, failedTargets: 1 });
    const lanes = JSON.parse((await readObject(cloud.s3, started.lanesKey))!) as Lane[];
    expect([...new Set(lanes.flatMap((l) => l.shards.map((s) => s.targetKey)))].sort()).toEqual([`${A}/eu-west-1`, `${A}/us-west-2`, `${B}/eu-west-1`]);
    const manifest = JSON.parse((await readObject(cloud.s3, started.lanesKey.replace(/shards\.json$/, 'run.json')))!) as { failedTargets: { accountId: string; region?: string; error: { code: string; message: string } }[] };
    expect(manifest.failedTargets).toHaveLength(1);
    expect(manifest.failedTargets[0]).toMatchObject({ accountId: D, error: { code: 'AccessDenied' } });
    expect(manifest.failedTargets[0]?.error.message).toContain(`cannot assume role arn:aws:iam::${D}:role/EcrSweeperTarget`);
  });
});
