/**
 * `ecr-sweeper restore`: shows what it will restore, asks (or needs --yes; refuses without a
 * terminal), calls UpdateImageStorageClass STANDARD once per archived image and reports each one.
 * Through the real launcher (and in-process for the terminal question) against the emulator.
 */
import { describe, expect, it } from 'vitest';
import type { StateFile } from '../../emulator/types.js';
import { runCli } from '../../lib/cli/main.js';
import { cliEnv, runCliProcess, useCliScenario } from './cli-harness.js';
import { capturedIo } from './in-process-io.js';

const REPO = 'team/app';

function state(): StateFile {
  return {
    repositories: [
      {
        name: REPO,
        images: [
          { tags: ['v1'], pushedAt: '-200d', status: 'ARCHIVED', lastArchivedAt: '-10d' },
          { tags: ['v2'], pushedAt: '-190d', status: 'ARCHIVED', lastArchivedAt: '-10d' },
          { tags: ['v3'], pushedAt: '-5d' },
          { tags: ['v4'], pushedAt: '-300d', status: 'ACTIVATING', lastArchivedAt: '-100d' },
        ],
      },
    ],
  };
}

const scenario = useCliScenario({ state, rulesFile: 'rules.yml', rulesText: 'version: 1\npolicies: []\n' });

const run = (args: string[]) => runCliProcess(['restore', '--repository', REPO, ...args], { env: cliEnv(scenario.emulator.url), cwd: scenario.dir });
const status = (tag: string) => scenario.emulator.findImage(REPO, { tag })?.imageStatus;
const digest = (tag: string) => scenario.emulator.findImage(REPO, { tag })!.imageDigest;
const calls = (op: string) => scenario.emulator.stats().requests[op] ?? 0;

describe('restore --yes', () => {
  it('restores the archived images asked for, by tag and by digest, and reports each one', async () => {
    const result = await run(['--tag', 'v1', '--digest', digest('v2'), '--tag', 'v3', '--tag', 'v4', '--yes']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Images asked for in ${REPO}:`);
    expect(result.stdout).toMatch(new RegExp(`restoring  ${digest('v1')} \\(v1\\): ACTIVATING`));
    expect(result.stdout).toMatch(new RegExp(`restoring  ${digest('v2')} \\(v2\\): ACTIVATING`));
    expect(result.stdout).toContain(`skipped    ${digest('v3')} (v3): already active`);
    expect(result.stdout).toContain(`skipped    ${digest('v4')} (v4): already being restored`);
    expect(result.stdout).toContain('2 restore(s) started, 0 failed.');
    expect([status('v1'), status('v2'), status('v3'), status('v4')]).toEqual(['ACTIVATING', 'ACTIVATING', 'ACTIVE', 'ACTIVATING']);
    expect(calls('UpdateImageStorageClass')).toBe(2);
  });

  it('--format json prints one record per image', async () => {
    const result = await run(['--tag', 'v1', '--tag', 'v3', '--yes', '--format', 'json']);
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout) as { repositoryName: string; images: { imageDigest: string; result: string; statusAfter?: string }[] };
    expect(doc.repositoryName).toBe(REPO);
    expect(doc.images.map((i) => [i.imageDigest, i.result, i.statusAfter ?? null])).toEqual([
      [digest('v1'), 'restoring', 'ACTIVATING'],
      [digest('v3'), 'skipped', null],
    ]);
  });

  it('reports a failed restore call with its code and exits 1', async () => {
    scenario.emulator.setFaults({ serverErrorProbability: { UpdateImageStorageClass: 1 } });
    const result = await run(['--tag', 'v1', '--yes']);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/FAILED     sha256:[0-9a-f]{64} \(v1\): ServerException: /);
    expect(result.stdout).toContain('0 restore(s) started, 1 failed.');
    expect(status('v1')).toBe('ARCHIVED');
  });
});

describe('restore refuses before changing anything', () => {
  it('without --yes when there is no terminal', async () => {
    const result = await run(['--tag', 'v1']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('restore changes images and needs confirmation: pass --yes');
    expect(Object.keys(scenario.emulator.stats().requests)).toEqual([]);
    expect(status('v1')).toBe('ARCHIVED');
  });

  it.each([
    [[], /restore needs the images to restore: --digest sha256:\.\.\. or --tag TAG/],
    [['--digest', 'v1'], /--digest "v1" is not an image digest/],
    [['--tag', '-bad'], /--tag "-bad" is not a valid image tag/],
  ])('bad flags %j exit 2', async (args, message) => {
    const result = await run([...args, '--yes']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(calls('UpdateImageStorageClass')).toBe(0);
  });

  it('when an image asked for is not in the repository: names it, restores none', async () => {
    const result = await run(['--tag', 'v1', '--tag', 'nope', '--digest', `sha256:${'0'.repeat(64)}`, '--yes']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`not found in repository ${REPO}: sha256:${'0'.repeat(64)}, tag:nope. Nothing was restored.`);
    expect(calls('UpdateImageStorageClass')).toBe(0);
    expect(status('v1')).toBe('ARCHIVED');
  });

  it('when the repository does not exist', async () => {
    const result = await runCliProcess(['restore', '--repository', 'no/such', '--tag', 'v1', '--yes'], { env: cliEnv(scenario.emulator.url), cwd: scenario.dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('repository no/such does not exist in this registry');
  });
});

describe('restore at a terminal without --yes', () => {
  async function answering(answer: string) {
    const cap = capturedIo({ tty: true, env: { AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL: scenario.emulator.url }, cwd: scenario.dir });
    const running = runCli(['restore', '--repository', REPO, '--tag', 'v1', '--tag', 'v2'], cap.io, {
      ecrClientExtra: { credentials: { accessKeyId: 'AKIDRESTORE', secretAccessKey: 'x' } },
    });
    while (!cap.stderr().includes('[y/N]')) await new Promise((r) => setTimeout(r, 10));
    cap.stdin.write(`${answer}\n`);
    return { code: await running, stdout: cap.stdout(), stderr: cap.stderr() };
  }

  it('shows the images, asks, and restores on "y"', async () => {
    const result = await answering('y');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Images asked for in team/app:');
    expect(result.stderr).toContain('Restore 2 image(s) in team/app to standard storage?');
    expect([status('v1'), status('v2')]).toEqual(['ACTIVATING', 'ACTIVATING']);
  });

  it('restores nothing on "n"', async () => {
    const result = await answering('n');
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('Nothing was restored.');
    expect(calls('UpdateImageStorageClass')).toBe(0);
    expect([status('v1'), status('v2')]).toEqual(['ARCHIVED', 'ARCHIVED']);
  });
});
