/**
 * The CLI scans the in-use sources on every plan and apply, through the run's clients: one
 * `--endpoint-url` takes ECR, STS, ECS and Lambda to the same local endpoint (the emulator serves
 * them all), a per-service variable sends its service elsewhere, and what ECS runs is kept with
 * its consumer named. A source that cannot be read blocks deletion and the CLI exits 3.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../emulator/index.js';
import type { StateFile } from '../../emulator/types.js';
import type { Plan } from '../../lib/core/plan-model.js';
import { runCli } from '../../lib/cli/main.js';
import { capturedIo } from './in-process-io.js';

const KEY = 'AKIDWIRING';
// In-process the SDK would read credentials from process.env; the run's clients all get these.
const RUNTIME = { ecrClientExtra: { credentials: { accessKeyId: KEY, secretAccessKey: 'x' } } };
const NOW = '2026-11-27T12:00:00Z';

// Not pulled for 90 days: the rules delete both images unless something uses them. The rules ask
// for last-pull time, so the run also asks STS who it is.
const RULES = `version: 1
defaults:
  mode: dry-run
  minAge: 1d
  maxDeletePercentPerRepository: 100
policies:
  - name: all
    repositories: { include: ["**"] }
    rules:
      - id: stale
        select: { tagStatus: any }
        when: { sinceImagePulled: 30d }
`;

const STATE: StateFile = {
  repositories: [
    {
      name: 'team/web',
      images: [
        { tags: ['v1'], pushedAt: '-100d', lastPulledAt: '-90d' },
        { tags: ['v2'], pushedAt: '-100d', lastPulledAt: '-90d' },
      ],
    },
  ],
  ecs: {
    taskDefinitions: [{ family: 'web', containerDefinitions: [{ name: 'app', image: 'team/web:v1' }] }],
    clusters: [{ name: 'prod', services: [{ name: 'web', taskDefinition: 'web:1' }] }],
  },
};

let dir: string;
let rulesPath: string;
const emulators: RunningEmulator[] = [];

async function emulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const started = await startEmulator({ port: 0, now: NOW, pullTimeUpdateExclusions: [KEY], ...options });
  emulators.push(started);
  return started;
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ecr-sweeper-in-use-cli-'));
  rulesPath = join(dir, 'rules.yml');
  await writeFile(rulesPath, RULES);
});

afterEach(async () => {
  await Promise.all(emulators.splice(0).map((e) => e.stop()));
  await rm(dir, { recursive: true, force: true });
});

const ENV = { AWS_REGION: 'us-east-1', XDG_CACHE_HOME: '' };

describe('plan scans the in-use sources through the run clients', () => {
  it('one --endpoint-url reaches ECR, STS, ECS and Lambda; the image ECS runs is kept and its consumer named', async () => {
    const local = await emulator({ state: STATE });
    const cap = capturedIo({ env: { ...ENV, XDG_CACHE_HOME: join(dir, 'cache') } });
    const code = await runCli(['plan', '--rules', rulesPath, '--endpoint-url', local.url, '--now', NOW, '--format', 'json', '--no-index-store'], cap.io, RUNTIME);
    expect(cap.stderr()).not.toContain('Error');
    expect(code).toBe(0);
    const requests = local.stats().requests;
    expect(requests.DescribeRepositories).toBeGreaterThanOrEqual(1);
    expect(requests['sts:GetCallerIdentity']).toBe(1);
    expect(requests['ecs:ListClusters']).toBeGreaterThanOrEqual(1);
    expect(requests['lambda:ListFunctions']).toBeGreaterThanOrEqual(1);

    const plan = JSON.parse(cap.stdout()) as Plan;
    const images = plan.repositories[0]!.images;
    const v1 = images.find((i) => i.imageTags.includes('v1'))!;
    const v2 = images.find((i) => i.imageTags.includes('v2'))!;
    expect(v1.decision).toBe('keep');
    expect(v1.reason).toMatch(/^keep: in use by ECS service prod\/web \(task definition web:1\)/);
    expect(v2.decision).toBe('delete');
    // The default sources are scanned; the others are reported off, never silently skipped.
    expect(plan.inUse?.sources.map((s) => [s.source, s.status])).toEqual([
      ['ecs', 'scanned'],
      ['lambda', 'scanned'],
      ['batch', 'off'],
      ['apprunner', 'off'],
      ['file', 'off'],
    ]);
  });

  it('AWS_ENDPOINT_URL_ECS beats AWS_ENDPOINT_URL: ECS goes to its own endpoint, everything else to the shared one', async () => {
    const shared = await emulator({ state: { repositories: STATE.repositories } });
    const ecsOnly = await emulator({ state: STATE });
    const cap = capturedIo({ env: { ...ENV, AWS_ENDPOINT_URL: shared.url, AWS_ENDPOINT_URL_ECS: ecsOnly.url } });
    const code = await runCli(['plan', '--rules', rulesPath, '--now', NOW, '--format', 'json', '--no-index-store'], cap.io, RUNTIME);
    expect(code).toBe(0);
    const sharedOps = Object.keys(shared.stats().requests);
    const ecsOps = Object.keys(ecsOnly.stats().requests);
    expect(sharedOps.filter((op) => op.startsWith('ecs:'))).toEqual([]);
    expect(sharedOps).toEqual(expect.arrayContaining(['DescribeRepositories', 'sts:GetCallerIdentity', 'lambda:ListFunctions']));
    expect(ecsOps.length).toBeGreaterThan(0);
    expect(ecsOps.every((op) => op.startsWith('ecs:'))).toBe(true);
    // The ECS endpoint's service is what keeps v1.
    const plan = JSON.parse(cap.stdout()) as Plan;
    expect(plan.repositories[0]!.images.find((i) => i.imageTags.includes('v1'))!.reason).toContain('in use by ECS service prod/web');
  });

  it('a source that cannot be read blocks deletion: plan says which and why, and exits 3', async () => {
    const local = await emulator({ state: STATE, accessDenied: ['lambda:*'] });
    const cap = capturedIo({ env: ENV });
    const code = await runCli(['plan', '--rules', rulesPath, '--endpoint-url', local.url, '--now', NOW, '--format', 'json', '--no-index-store'], cap.io, RUNTIME);
    const plan = JSON.parse(cap.stdout()) as Plan;
    const lambda = plan.inUse?.sources.find((s) => s.source === 'lambda');
    expect(lambda?.status).toBe('failed');
    expect(lambda?.error?.code).toBe('AccessDeniedException');
    expect(plan.repositories[0]!.status).toBe('blocked');
    expect(plan.summary.blockedRepositories).toBe(1);
    expect(plan.repositories[0]!.statusReason).toContain('Lambda');
    expect(code).toBe(3);
  });

  it('apply deletes nothing when a source cannot be read, and exits 3', async () => {
    const local = await emulator({ state: STATE, accessDenied: ['ecs:ListClusters'] });
    const cap = capturedIo({ env: ENV });
    const code = await runCli(['apply', '--rules', rulesPath, '--endpoint-url', local.url, '--yes', '--format', 'json', '--no-index-store'], cap.io, RUNTIME);
    expect(code).toBe(3);
    expect(local.stats().requests.BatchDeleteImage ?? 0).toBe(0);
    expect(local.images('team/web')).toHaveLength(2);
  });
});

describe('in-use files from the CLI', () => {
  it("reads relative inUse.files locations from the rules file's directory, not the working directory", async () => {
    const local = await emulator({ state: { repositories: STATE.repositories } });
    await mkdir(join(dir, 'in-use'));
    await writeFile(join(dir, 'in-use', 'build-hosts.json'), JSON.stringify(['123456789012.dkr.ecr.us-east-1.amazonaws.com/team/web:v2']));
    await writeFile(rulesPath, `${RULES}inUse:\n  ecs: false\n  files:\n    locations: [in-use]\n`);
    const cap = capturedIo({ env: ENV, cwd: tmpdir() });
    const code = await runCli(['plan', '--rules', rulesPath, '--endpoint-url', local.url, '--now', NOW, '--format', 'json', '--no-index-store'], cap.io, RUNTIME);
    expect(cap.stderr()).not.toContain('Error');
    expect(code).toBe(0);
    const plan = JSON.parse(cap.stdout()) as Plan;
    const images = plan.repositories[0]!.images;
    expect(images.find((i) => i.imageTags.includes('v2'))!.reason).toMatch(/^keep: in use by in-use file .*build-hosts\.json/);
    expect(images.find((i) => i.imageTags.includes('v1'))!.decision).toBe('delete');
    expect(plan.inUse?.sources.map((s) => [s.source, s.status])).toEqual([
      ['ecs', 'off'],
      ['lambda', 'scanned'],
      ['batch', 'off'],
      ['apprunner', 'off'],
      ['file', 'scanned'],
    ]);
    // ECS turned off is not asked at all.
    expect(Object.keys(local.stats().requests).filter((op) => op.startsWith('ecs:'))).toEqual([]);
  });

  it('refuses in-use files with no location (the CLI has no deployment prefix): exit 2, before any request', async () => {
    const local = await emulator({ state: STATE });
    await writeFile(rulesPath, `${RULES}inUse:\n  files: true\n`);
    const cap = capturedIo({ env: ENV });
    const code = await runCli(['plan', '--rules', rulesPath, '--endpoint-url', local.url, '--now', NOW, '--no-index-store'], cap.io, RUNTIME);
    expect(code).toBe(2);
    expect(cap.stderr()).toContain('inUse.files has no locations');
    expect(local.stats().requests.DescribeRepositories ?? 0).toBe(0);
  });
});
