import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeImagesCommand, DescribeRepositoriesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { afterEach, describe, expect, it } from 'vitest';

const TSX = join(process.cwd(), 'node_modules', '.bin', 'tsx');

/** Runs `tsx emulator/main.ts ...args` and resolves with its URL once it prints it. */
async function runCli(args: string[]): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const child = spawn(TSX, ['emulator/main.ts', ...args], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const check = (): void => {
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)[\s\S]*Ctrl-C to stop/.exec(out);
      if (m) resolve(m[1] as string);
    };
    child.stdout?.on('data', check);
    child.once('exit', (code) => reject(new Error(`emulator exited with ${code}: ${out}`)));
  });
  return { child, url, output: () => out };
}

describe('npm run emulator (emulator/main.ts)', () => {
  let child: ChildProcess | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGINT');
      await once(child, 'exit');
    }
    child = undefined;
    if (dir) await rm(dir, { recursive: true });
    dir = undefined;
  });

  it('serves a state file and a generated registry, prints its URL, stops on Ctrl-C', async () => {
    dir = await mkdtemp(join(tmpdir(), 'ecr-emu-cli-'));
    const state = join(dir, 'state.json');
    await writeFile(state, JSON.stringify({ now: '2026-06-01T00:00:00Z', repositories: [{ name: 'team/app', images: [{ tags: ['v1'], pushedAt: '-2d' }] }] }));
    const run = await runCli(['--state', state, '--port', '0', '--generate', 'repos=2,images=3,seed=5', '--rate-limit', 'DescribeImages=100']);
    child = run.child;
    expect(run.output()).toContain('3 repositories');
    const ecr = new ECRClient({ endpoint: run.url, region: 'us-east-1', credentials: { accessKeyId: 'AKIDCLI', secretAccessKey: 'x' } });
    const repos = await ecr.send(new DescribeRepositoriesCommand({}));
    expect(repos.repositories?.map((r) => r.repositoryName)).toEqual(['payments/api', 'platform/api', 'team/app']);
    const images = await ecr.send(new DescribeImagesCommand({ repositoryName: 'team/app' }));
    expect(images.imageDetails?.[0]?.imagePushedAt?.toISOString()).toBe('2026-05-30T00:00:00.000Z');
    ecr.destroy();
    const stats = (await (await fetch(`${run.url}/_emulator/stats`)).json()) as { requests: Record<string, number> };
    expect(stats.requests).toEqual({ DescribeRepositories: 1, DescribeImages: 1 });
    child.kill('SIGINT');
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(0);
  });

  it('says "1 repository, 1 image" in the banner, not "1 repositories"', async () => {
    dir = await mkdtemp(join(tmpdir(), 'ecr-emu-cli-'));
    const state = join(dir, 'state.json');
    await writeFile(state, JSON.stringify({ now: '2026-06-01T00:00:00Z', repositories: [{ name: 'team/app', images: [{ tags: ['v1'], pushedAt: '-2d' }] }] }));
    const run = await runCli(['--state', state, '--port', '0']);
    child = run.child;
    expect(run.output()).toContain('\n  1 repository, 1 image; clock 2026-06-01T00:00:00.000Z\n');
  });

  it('exits with code 2 and the usage on a bad flag', async () => {
    const bad = spawn(TSX, ['emulator/main.ts', '--latency-ms', 'soon'], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    bad.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    const [code] = (await once(bad, 'exit')) as [number | null];
    expect(code).toBe(2);
    expect(err).toContain('--latency-ms: expected an integer');
    expect(err).toContain('Usage: npm run emulator');
  });
});
