/**
 * The Kubernetes exporter's transformation (deploy/kubernetes/export-in-use.mjs), run as the
 * CronJob runs it (node on a file) on a fixture shaped like `kubectl get pods,replicasets,... -A -o
 * json`, and read back by the sweeper's own in-use file reader and resolver.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InUseFileReader } from '../../lib/adapters/in-use-files.js';
import { parseImageReference } from '../../lib/core/image-reference.js';
import { resolveInUse } from '../../lib/core/in-use.js';
import type { RepositoryInventory } from '../../lib/core/inventory.js';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '../..');
const SCRIPT = join(ROOT, 'deploy/kubernetes/export-in-use.mjs');
const FIXTURE = join(ROOT, 'test/fixtures/kubernetes/kubectl-get-in-use.json');
const E = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';
const DUAL = '123456789012.dkr-ecr.eu-west-1.on.aws';
const digest = (c: string) => `sha256:${c.repeat(64)}`;

interface Exporter {
  normaliseImage(raw: unknown): string | null;
  exportInUse(list: unknown, options: { source: string; generatedAt: string }): { document: { images: { image: string; consumer: string }[] }; stats: { skipped: string[] } };
}
const exporter = (await import(pathToFileURL(SCRIPT).href)) as Exporter;

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ecr-sweeper-k8s-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function exportFixture(input = FIXTURE, extra: string[] = []) {
  const output = join(dir, 'prod-eks.json');
  const { stderr } = await run(process.execPath, [SCRIPT, '--input', input, '--output', output, '--source', 'prod-eks', ...extra]);
  return { output, stderr, document: JSON.parse(await readFile(output, 'utf8')) as { generatedAt: string; source: string; kind: string; images: { image: string; consumer: string }[] } };
}

describe('export-in-use.mjs on kubectl output', () => {
  it('collects pod statuses (imageID, CRI forms normalised), pod specs and every workload template, one entry per image', async () => {
    const { document, stderr } = await exportFixture(FIXTURE, ['--generated-at', '2026-12-01T11:00:00Z']);
    expect(document.generatedAt).toBe('2026-12-01T11:00:00Z');
    expect(document.source).toBe('prod-eks');
    expect(document.kind).toBe('Kubernetes');
    expect(document.images).toEqual([
      { image: `${DUAL}/worker:v5`, consumer: 'pod jobs/worker-0' },
      { image: `${DUAL}/worker@${digest('d')}`, consumer: 'pod jobs/worker-0' },
      { image: `${E}/importer:2026.11.30`, consumer: 'job batch/import-29409120' },
      { image: `${E}/importer:2026.12.01`, consumer: 'cronjob batch/import' },
      { image: `${E}/log-agent:1.7`, consumer: 'controllerrevision kube-system/log-agent-5d4c3b (revision 1 of daemonset kube-system/log-agent)' },
      { image: `${E}/log-agent:1.8`, consumer: 'daemonset kube-system/log-agent' },
      { image: `${E}/migrate:v2.0.3`, consumer: 'replicaset shop/web-5c6d7e8f9 (rollback history of deployment shop/web)' },
      // The Deployment, its current ReplicaSet and its pod all name it: the Deployment is the one people know.
      { image: `${E}/migrate:v2.1.0`, consumer: 'deployment shop/web and 2 more' },
      // Init container status: the digest the node pulled.
      { image: `${E}/migrate@${digest('b')}`, consumer: 'pod shop/web-7d9f8c6b5-x2k4p' },
      { image: `${E}/postgres-custom:16.3`, consumer: 'controllerrevision data/db-6b7c8d (revision 2 of statefulset data/db)' },
      { image: `${E}/postgres-custom:16.4`, consumer: 'statefulset data/db' },
      { image: `${E}/web:v2.0.3`, consumer: 'replicaset shop/web-5c6d7e8f9 (rollback history of deployment shop/web)' },
      { image: `${E}/web:v2.1.0`, consumer: 'deployment shop/web and 2 more' },
      // docker-pullable://…@sha256 from the container status, without its CRI scheme.
      { image: `${E}/web@${digest('a')}`, consumer: 'pod shop/web-7d9f8c6b5-x2k4p' },
      // The ephemeral debug container: spec, status image and status imageID.
      { image: 'busybox:1.36', consumer: 'pod shop/web-7d9f8c6b5-x2k4p' },
      { image: 'docker.io/library/busybox:1.36', consumer: 'pod shop/web-7d9f8c6b5-x2k4p' },
      { image: `docker.io/library/busybox@${digest('c')}`, consumer: 'pod shop/web-7d9f8c6b5-x2k4p' },
      { image: 'local/tools:dev', consumer: 'pod jobs/worker-0' },
    ]);
    expect(stderr).toContain('in-use export prod-eks: 18 images from 3 Pod, 1 Deployment, 2 ReplicaSet, 1 StatefulSet, 2 ControllerRevision, 1 DaemonSet, 1 Job, 1 CronJob');
    expect(stderr).toContain(`left out 3 strings that are not image references: sha256:${'9'.repeat(64)} (pod jobs/worker-0); Web:Latest (pod shop/broken-6f7d8)`);
  });

  it('writes a file the sweeper reads, whose images protect what runs: the pulled digest after the tag moved, and the rollback history', async () => {
    const { output } = await exportFixture();
    const scan = await new InUseFileReader({ settings: { locations: [output], maxAgeMs: 86_400_000, expect: ['prod-eks'] }, baseDirectory: dir }).scan({ now: Date.now() });
    expect(scan.usages).toHaveLength(18);
    expect(scan.usages.find((u) => u.reference === `${E}/web:v2.1.0`)?.consumer).toBe(`Kubernetes prod-eks, deployment shop/web and 2 more (from in-use file ${output})`);

    // v2.1.0 was pushed again (a new digest); the pod still runs the digest it pulled.
    const web: RepositoryInventory = {
      repositoryName: 'web',
      images: [
        { imageDigest: digest('a'), imageTags: [], imagePushedAt: 1, imageSizeInBytes: 1 },
        { imageDigest: digest('e'), imageTags: ['v2.1.0'], imagePushedAt: 2, imageSizeInBytes: 1 },
        { imageDigest: digest('f'), imageTags: ['v2.0.3'], imagePushedAt: 0, imageSizeInBytes: 1 },
        { imageDigest: digest('1'), imageTags: ['v1.9.0'], imagePushedAt: 0, imageSizeInBytes: 1 },
      ],
    };
    const resolved = resolveInUse({ accountId: '123456789012', region: 'eu-west-1' }, scan.usages, [web]);
    expect([...(resolved.byRepository.get('web')?.keys() ?? [])].sort()).toEqual([digest('a'), digest('e'), digest('f')]);
    expect(resolved.byRepository.get('web')?.get(digest('f'))?.[0]?.consumer).toMatch(/^Kubernetes prod-eks, replicaset shop\/web-5c6d7e8f9 \(rollback history of deployment shop\/web\)/);
    // Docker Hub and local images: counted, never matched by name. The dual-stack host is this registry.
    expect(resolved.counts.otherRegistry).toBe(4);
    expect(resolved.counts).toMatchObject({ resolved: 3, unknownRepository: 11 });
  });

  it('fails, writing nothing, on input that is not kubectl JSON or without a cluster name', async () => {
    const bad = join(dir, 'bad.json');
    await import('node:fs/promises').then((fs) => fs.writeFile(bad, '{"kind": "Pod"}'));
    const failed = await run(process.execPath, [SCRIPT, '--input', bad, '--output', join(dir, 'out.json'), '--source', 'c']).catch((e: { code: number; stderr: string }) => e);
    expect(failed).toMatchObject({ code: 1, stderr: expect.stringContaining('the input is not kubectl JSON output') });
    expect(existsSync(join(dir, 'out.json'))).toBe(false);
    const unnamed = await run(process.execPath, [SCRIPT, '--input', FIXTURE, '--output', join(dir, 'out.json')]).catch((e: { code: number; stderr: string }) => e);
    expect(unnamed).toMatchObject({ code: 1, stderr: expect.stringContaining('--source <cluster name>') });
    const truncated = join(dir, 'truncated.json');
    await import('node:fs/promises').then((fs) => fs.writeFile(truncated, '{"items": ['));
    const partial = await run(process.execPath, [SCRIPT, '--input', truncated, '--output', join(dir, 'out.json'), '--source', 'c']).catch((e: { code: number }) => e);
    expect(partial).toMatchObject({ code: 1 });
    expect(existsSync(join(dir, 'out.json'))).toBe(false);
  });

  it('writes an empty list for a cluster that runs nothing (still a fresh file)', async () => {
    const empty = join(dir, 'empty.json');
    await import('node:fs/promises').then((fs) => fs.writeFile(empty, '{"apiVersion": "v1", "kind": "List", "items": [], "metadata": {"resourceVersion": ""}}'));
    const { document } = await exportFixture(empty);
    expect(document.images).toEqual([]);
  });
});

describe('normaliseImage', () => {
  it.each([
    [`docker-pullable://${E}/web@${digest('a')}`, `${E}/web@${digest('a')}`],
    [`docker://${E}/web:v1`, `${E}/web:v1`],
    [` ${E}/web:v1 `, `${E}/web:v1`],
    ['nginx', 'nginx'],
    ['localhost:5000/a/b:c', 'localhost:5000/a/b:c'],
    [`docker://sha256:${'9'.repeat(64)}`, null],
    [`sha256:${'9'.repeat(64)}`, null],
    ['Web:Latest', null],
    ['', null],
    [42, null],
    [undefined, null],
  ])('%j -> %j', (raw, expected) => expect(exporter.normaliseImage(raw)).toBe(expected));

  const part = fc.stringMatching(/^[a-zA-Z0-9._:@/-]{0,12}$/);
  const referenceLike = fc.oneof(
    fc.string(),
    fc.tuple(fc.constantFrom('', `${E}/`, 'Host.IO/', 'localhost:5000/', 'h:0/', 'h:99999/', 'docker-pullable://'), part, fc.constantFrom('', ':v1', ':', `@${digest('a')}`, '@sha256:x')).map((p) => p.join('')),
  );

  it('property: whatever it keeps, the sweeper parses as an image reference (so an export never fails the sweep)', () => {
    fc.assert(
      fc.property(referenceLike, (raw) => {
        const kept = exporter.normaliseImage(raw);
        if (kept !== null) expect(parseImageReference(kept)).toMatchObject({ ok: true });
      }),
      { numRuns: 5_000 },
    );
  });

  it('property: it keeps every reference the sweeper can parse (so nothing pullable goes unprotected)', () => {
    fc.assert(
      fc.property(referenceLike, (raw) => {
        if (typeof raw === 'string' && !raw.includes('://') && parseImageReference(raw).ok && !/^sha(256|512):/.test(raw.trim())) {
          expect(exporter.normaliseImage(raw)).toBe(raw.trim());
        }
      }),
      { numRuns: 5_000 },
    );
  });
});
