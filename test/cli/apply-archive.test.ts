/**
 * `apply` with rules that archive (`action: transition`): the question names the archive
 * transitions too (a transitions-only plan is asked for, not run silently), and the result says
 * how many images were archived. In-process at a pretend terminal, and through the launcher.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StateFile } from '../../emulator/types.js';
import { runCli } from '../../lib/cli/main.js';
import { startEmulator, type RunningEmulator } from '../../emulator/index.js';
import { cliEnv, runCliProcess, useTempDir, writeText } from './cli-harness.js';
import { capturedIo } from './in-process-io.js';

function state(): StateFile {
  return {
    now: new Date(Math.floor(Date.now() / 1000) * 1000).toISOString(),
    repositories: [
      {
        name: 'app/api',
        images: [
          { tags: ['v1.0.0'], pushedAt: '-100d' },
          { tags: ['v1.1.0'], pushedAt: '-50d' },
          { tags: ['v1.2.0'], pushedAt: '-2d' },
          { pushedAt: '-30d', sizeInBytes: 1_000 },
        ],
      },
    ],
  };
}

const ARCHIVE_RULE = `      - id: archive-old-releases
        select: { tagStatus: tagged, tagPatterns: ['v*'] }
        when: { sinceImagePushed: 30d }
        action: transition
`;
const UNTAGGED_RULE = `      - id: untagged-7d
        select: { tagStatus: untagged }
        when: { sinceImagePushed: 7d }
`;
const rules = (body: string): string => `version: 1
defaults:
  minAge: 1d
  maxDeletionsPerRun: null
  maxDeletePercentPerRepository: null
policies:
  - name: apps
    repositories:
      include: ['app/**']
    rules:
${body}`;

const temp = useTempDir();
let emulator: RunningEmulator;
beforeEach(async () => {
  emulator = await startEmulator({ port: 0, state: state() });
});
afterEach(async () => {
  await emulator.stop();
});

const statuses = (): string[] => emulator.images('app/api').map((i) => `${i.imageTags.join(',') || 'untagged'}:${i.imageStatus}`);

async function applyAnswering(rulesText: string, answer: string) {
  const file = await writeText(temp.dir, 'rules.yml', rulesText);
  const cap = capturedIo({ tty: true, env: { AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL: emulator.url }, cwd: temp.dir });
  const running = runCli(['apply', '--rules', file], cap.io, { ecrClientExtra: { credentials: { accessKeyId: 'AKIDARCHIVE', secretAccessKey: 'x' } } });
  while (!cap.stderr().includes('[y/N]')) await new Promise((r) => setTimeout(r, 10));
  cap.stdin.write(`${answer}\n`);
  return { code: await running, stdout: cap.stdout(), stderr: cap.stderr() };
}

describe('apply with archive transitions', () => {
  it('asks about a plan that only archives, and archives nothing on "n"', async () => {
    const run = await applyAnswering(rules(ARCHIVE_RULE), 'n');
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('Archive 2 image(s) in 1 repository (not deleted; `ecr-sweeper restore` brings them back)? [y/N]');
    expect(emulator.stats().requests.UpdateImageStorageClass).toBeUndefined();
    expect(statuses()).toEqual(['v1.0.0:ACTIVE', 'v1.1.0:ACTIVE', 'v1.2.0:ACTIVE', 'untagged:ACTIVE']);
  });

  it('names deletions and archive transitions in one question, and does both on "y"', async () => {
    const run = await applyAnswering(rules(ARCHIVE_RULE + UNTAGGED_RULE), 'y');
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('Delete 1 image(s), 1000 B, in 1 repository, and archive 2 image(s) in 1 repository');
    expect(statuses()).toEqual(['v1.0.0:ARCHIVED', 'v1.1.0:ARCHIVED', 'v1.2.0:ACTIVE']);
    expect(run.stdout).toContain('Archived: 2 images moved to archive storage');
  });

  it('with --yes (no terminal) archives and reports the count', async () => {
    const file = await writeText(temp.dir, 'rules.yml', rules(ARCHIVE_RULE));
    const run = await runCliProcess(['apply', '--rules', file, '--yes'], { env: cliEnv(emulator.url), cwd: temp.dir });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Archived: 2 images moved to archive storage (not deleted;');
    expect(emulator.stats().requests.UpdateImageStorageClass).toBe(2);
  });
});
