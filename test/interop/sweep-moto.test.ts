/**
 * The sweep's plan-and-apply scenario (an untagged rule and a count rule) against moto's ECR
 * server instead of our emulator: the engine must work on a second, independent implementation
 * of the wire protocol. moto records push times in whole seconds, so tagged pushes are spaced.
 */
import { CreateRepositoryCommand, DescribeImagesCommand, ECRClient, PutImageCommand } from '@aws-sdk/client-ecr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Plan } from '../../lib/core/plan-model.js';
import { createEcrClient } from '../../lib/adapters/ecr-client.js';
import { buildPlan, runSweep } from '../../lib/engine/sweep.js';
import { keepNewest, ruleSet, untaggedOlderThan } from '../engine/support/rules.js';
import { startMoto, type MotoServer } from './support/moto-server.js';
import { ecrRegistry } from '../../lib/adapters/ecr-registry-connector.js';

const RULES = ruleSet([untaggedOlderThan(0, 'untagged-all'), keepNewest(2, ['v*'], 'keep-2-releases')], {}, ['interop/app']);
const MANIFEST_TYPE = 'application/vnd.docker.distribution.manifest.v2+json';

let moto: MotoServer;
let ecr: ECRClient;
const pushed = new Map<string, string>();

function manifest(seed: string): string {
  const hex = (s: string): string => Buffer.from(s).toString('hex').padEnd(64, '0').slice(0, 64);
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: MANIFEST_TYPE,
    config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: 100, digest: `sha256:${hex(`cfg-${seed}`)}` },
    layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: 1000, digest: `sha256:${hex(`layer-${seed}`)}` }],
  });
}

async function push(repositoryName: string, seed: string, tag?: string): Promise<void> {
  const out = await ecr.send(new PutImageCommand({ repositoryName, imageManifest: manifest(seed), imageManifestMediaType: MANIFEST_TYPE, ...(tag ? { imageTag: tag } : {}) }));
  pushed.set(`${repositoryName}:${seed}`, out.image?.imageId?.imageDigest ?? '');
}

async function digests(repositoryName: string): Promise<string[]> {
  const out = await ecr.send(new DescribeImagesCommand({ repositoryName }));
  return (out.imageDetails ?? []).map((d) => d.imageDigest ?? '').sort();
}

function deleteSet(plan: Plan): string[] {
  return plan.repositories.flatMap((r) => r.images.filter((i) => i.decision === 'delete').map((i) => i.imageDigest)).sort();
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  moto = await startMoto();
  ecr = createEcrClient({ endpoint: moto.url, region: 'us-east-1', env: {}, extra: { credentials: { accessKeyId: 'AKIDMOTO', secretAccessKey: 'x' } } });
  for (const name of ['interop/app', 'interop/other']) await ecr.send(new CreateRepositoryCommand({ repositoryName: name }));
  for (const seed of ['u1', 'u2', 'u3']) await push('interop/app', seed);
  for (let v = 1; v <= 5; v++) {
    await push('interop/app', `v${v}`, `v${v}`);
    // Distinct whole-second push times, so "newest 2" is well defined.
    await sleep(1100);
  }
  await push('interop/other', 'o1');
  await push('interop/other', 'o2', 'latest');
});

afterAll(async () => {
  ecr?.destroy();
  await moto?.stop();
});

describe('sweep against moto ECR', () => {
  it('plans the untagged images and all but the newest two releases, and applies exactly that', async () => {
    const now = Date.now() + 2000;
    const expected = ['u1', 'u2', 'u3', 'v1', 'v2', 'v3'].map((s) => pushed.get(`interop/app:${s}`)!).sort();
    const kept = ['v4', 'v5'].map((s) => pushed.get(`interop/app:${s}`)!).sort();
    const otherBefore = await digests('interop/other');

    const plan = await buildPlan({ registry: ecrRegistry(ecr) }, { ruleSet: RULES, now });
    expect(deleteSet(plan)).toEqual(expected);
    expect(plan.repositories.find((r) => r.repositoryName === 'interop/other')?.status).toBe('unmanaged');

    const { result } = await runSweep({ registry: ecrRegistry(ecr) }, { ruleSet: RULES, now, mode: 'apply' });
    expect(result.totals.deleted).toBe(6);
    expect(result.totals.failed).toBe(0);
    expect(result.totals.skipped).toBe(0);
    expect(await digests('interop/app')).toEqual(kept);
    expect(await digests('interop/other')).toEqual(otherBefore);
    expect(result.apiCalls.BatchDeleteImage).toBe(1);

    const again = await runSweep({ registry: ecrRegistry(ecr) }, { ruleSet: RULES, now, mode: 'apply' });
    expect(again.result.totals.planned).toBe(0);
    expect(again.result.apiCalls.BatchDeleteImage ?? 0).toBe(0);
  });
});
