/**
 * Precise failure sequences through runSweep, on a scripted ECR double (aws-sdk-client-mock):
 * what the emulator cannot produce on demand. End-to-end behaviour on the emulator is in
 * sweep-emulator.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { runSweep } from '../../lib/engine/sweep.js';
import type { ResultImage, SweepResult } from '../../lib/core/result-model.js';
import type { Checkpoint } from '../../lib/engine/types.js';
import { DAY, ruleSet, untaggedOlderThan } from './support/rules.js';
import { FakeEcr, INDEX_TYPE, digestOf, serverError, throttlingError } from './support/fake-ecr.js';
import { ecrRegistry } from '../../lib/adapters/ecr-registry-connector.js';

const NOW = Date.parse('2026-06-01T00:00:00Z');
const OLD = NOW - 30 * DAY;
const rules = ruleSet([untaggedOlderThan(7)]);

function outcomeOf(result: SweepResult, repository: string, digest: string): ResultImage['outcome'] | undefined {
  return result.repositories.find((r) => r.repositoryName === repository)?.images.find((i) => i.imageDigest === digest)?.outcome;
}

function untagged(name: string, size = 100): { digest: string; pushedAt: number; size: number } {
  return { digest: digestOf(name), pushedAt: OLD, size };
}

async function sweep(fake: FakeEcr, extra: Partial<Parameters<typeof runSweep>[1]> = {}) {
  return runSweep({ registry: ecrRegistry(fake.client), clock: () => NOW }, { ruleSet: rules, mode: 'apply', now: NOW, ...extra });
}

describe('runSweep on scripted failure sequences', () => {
  it('retries a child once after ImageReferencedByManifestList and deletes it when the index is gone', async () => {
    const fake = new FakeEcr().add('app', untagged('a'), untagged('b'));
    let refusals = 0;
    fake.deleteHook = (_repo, digest) => {
      if (digest === digestOf('b') && refusals === 0) {
        refusals += 1;
        return 'ImageReferencedByManifestList';
      }
      return undefined;
    };
    const { result } = await sweep(fake);
    expect(outcomeOf(result, 'app', digestOf('b'))).toEqual({ status: 'deleted' });
    expect(fake.deleteCalls.filter((c) => c.digests.includes(digestOf('b')))).toHaveLength(2);
    expect(fake.digests('app')).toEqual([]);
  });

  it('reports ImageReferencedByManifestList as a failure when the retry is refused too', async () => {
    const fake = new FakeEcr().add('app', untagged('a'), untagged('b'));
    fake.deleteHook = (_repo, digest) => (digest === digestOf('b') ? 'ImageReferencedByManifestList' : undefined);
    const { result } = await sweep(fake);
    expect(outcomeOf(result, 'app', digestOf('b'))).toMatchObject({ status: 'failed', code: 'ImageReferencedByManifestList' });
    expect(fake.deleteCalls.filter((c) => c.digests.includes(digestOf('b')))).toHaveLength(2);
    expect(result.totals.failed).toBe(1);
    expect(result.totals.deleted).toBe(1);
  });

  it('sends an index before its children, in request order', async () => {
    const children = ['c1', 'c2'].map((n) => untagged(n, 500));
    const index = { digest: digestOf('idx'), pushedAt: OLD, mediaType: INDEX_TYPE, children: children.map((c) => c.digest), size: 500 };
    const fake = new FakeEcr().add('app', index, ...children);
    const { result } = await sweep(fake);
    expect(fake.digests('app')).toEqual([]);
    const sent = fake.deleteCalls.flatMap((c) => c.digests);
    expect(sent.indexOf(index.digest)).toBeLessThan(sent.indexOf(digestOf('c1')));
    expect(sent.indexOf(index.digest)).toBeLessThan(sent.indexOf(digestOf('c2')));
    expect(fake.deleteCalls).toHaveLength(1);
    // The index's size is its largest child's, so only the children count as freed bytes.
    expect(result.totals.bytesFreed).toBe(1000);
    expect(result.repositories[0]?.images.every((i) => i.outcome.status === 'deleted')).toBe(true);
  });

  it('still deletes the children when a registry refuses them in the same call as their index', async () => {
    const children = ['c1', 'c2'].map((n) => untagged(n, 500));
    const index = { digest: digestOf('idx'), pushedAt: OLD, mediaType: INDEX_TYPE, children: children.map((c) => c.digest), size: 500 };
    const fake = new FakeEcr().add('app', index, ...children);
    // A registry that checks references before deleting anything in the call.
    fake.deleteHook = (_repo, digest, call) => (call === 1 && digest !== index.digest ? 'ImageReferencedByManifestList' : undefined);
    const { result } = await sweep(fake);
    expect(fake.digests('app')).toEqual([]);
    expect(fake.deleteCalls).toHaveLength(2);
    expect(fake.deleteCalls[1]?.digests.sort()).toEqual(children.map((c) => c.digest).sort());
    expect(result.totals.failed).toBe(0);
  });

  it('counts ImageNotFound from BatchDeleteImage as already gone, with no bytes freed', async () => {
    const fake = new FakeEcr().add('app', untagged('a', 100), untagged('b', 100));
    fake.deleteHook = (_repo, digest) => (digest === digestOf('a') ? 'ImageNotFound' : undefined);
    const { result } = await sweep(fake);
    expect(outcomeOf(result, 'app', digestOf('a'))).toEqual({ status: 'deleted', alreadyGone: true });
    expect(outcomeOf(result, 'app', digestOf('b'))).toEqual({ status: 'deleted' });
    expect(result.totals.bytesFreed).toBe(100);
    expect(result.totals.failed).toBe(0);
  });

  it('finds an image deleted between plan and delete by splitting the re-read, and never sends it to BatchDeleteImage', async () => {
    const images = Array.from({ length: 100 }, (_, i) => untagged(`img-${i}`));
    const fake = new FakeEcr().add('app', ...images);
    const vanished = images[37]!.digest;
    fake.beforeReread = (repo) => fake.repositories.get(repo)?.delete(vanished);
    const { result } = await sweep(fake);
    expect(outcomeOf(result, 'app', vanished)).toEqual({ status: 'deleted', alreadyGone: true });
    expect(fake.deleteCalls.flatMap((c) => c.digests)).not.toContain(vanished);
    expect(result.totals.deleted).toBe(100);
    // One failed re-read of 100, then a binary search: at most 2 calls per level of log2(100).
    expect(fake.describeByIdCalls.length).toBeLessThanOrEqual(1 + 2 * 7);
  });

  it('skips images that gained a tag, were pushed again or pulled after the plan', async () => {
    const fake = new FakeEcr().add('app', untagged('tagged-later'), untagged('repushed'), untagged('pulled'), untagged('plain'));
    fake.beforeReread = (repo) => {
      const r = fake.repositories.get(repo)!;
      r.get(digestOf('tagged-later'))!.tags = ['release-1'];
      r.get(digestOf('repushed'))!.pushedAt = NOW - 1000;
      r.get(digestOf('pulled'))!.pulledAt = NOW - 500;
    };
    const { result } = await sweep(fake);
    expect(outcomeOf(result, 'app', digestOf('tagged-later'))).toEqual({ status: 'skipped', reason: "changed since plan: gained tag 'release-1'" });
    expect(outcomeOf(result, 'app', digestOf('repushed'))).toMatchObject({ status: 'skipped', reason: expect.stringContaining('pushed again') });
    expect(outcomeOf(result, 'app', digestOf('pulled'))).toMatchObject({ status: 'skipped', reason: expect.stringContaining('pulled at') });
    expect(outcomeOf(result, 'app', digestOf('plain'))).toEqual({ status: 'deleted' });
    expect(fake.digests('app')).toEqual([digestOf('pulled'), digestOf('repushed'), digestOf('tagged-later')].sort());
  });

  it('verifies images BatchDeleteImage neither lists as deleted nor as failed', async () => {
    const fake = new FakeEcr().add('app', untagged('silent'), untagged('ignored'), untagged('normal'));
    fake.deleteHook = (_repo, digest) =>
      digest === digestOf('silent') ? 'silent-delete' : digest === digestOf('ignored') ? 'ignore' : undefined;
    const { result } = await sweep(fake);
    expect(outcomeOf(result, 'app', digestOf('silent'))).toEqual({ status: 'deleted' });
    expect(outcomeOf(result, 'app', digestOf('ignored'))).toMatchObject({ status: 'failed', code: 'NoResult' });
    expect(outcomeOf(result, 'app', digestOf('normal'))).toEqual({ status: 'deleted' });
    expect(fake.digests('app')).toEqual([digestOf('ignored')]);
  });

  it('keeps the signature of an image tagged after the plan, and the children of an index pulled after it', async () => {
    const subject = untagged('subject');
    const signature = { digest: digestOf('signature'), pushedAt: OLD, subject: subject.digest };
    const children = ['c1', 'c2'].map((n) => untagged(n));
    const index = { digest: digestOf('idx'), pushedAt: OLD, mediaType: INDEX_TYPE, children: children.map((c) => c.digest) };
    const fake = new FakeEcr().add('app', subject, signature, index, ...children, untagged('plain'));
    fake.beforeReread = (repo, digests) => {
      // The listing's own check of the index it just read is not the re-read before the delete.
      if (digests.length === 1 && digests[0] === index.digest) return;
      const r = fake.repositories.get(repo)!;
      r.get(subject.digest)!.tags = ['promoted'];
      r.get(index.digest)!.pulledAt = NOW - 60_000;
    };
    const { plan, result } = await sweep(fake);
    expect(plan.summary.delete).toBe(6);
    expect(outcomeOf(result, 'app', signature.digest)).toMatchObject({ status: 'skipped', reason: expect.stringContaining(subject.digest) });
    expect(outcomeOf(result, 'app', digestOf('c1'))).toMatchObject({ status: 'skipped', reason: expect.stringContaining(index.digest) });
    expect(outcomeOf(result, 'app', digestOf('plain'))).toEqual({ status: 'deleted' });
    expect(fake.digests('app')).toEqual([subject.digest, signature.digest, index.digest, ...children.map((c) => c.digest)].sort());
    expect(fake.deleteCalls.flatMap((c) => c.digests)).toEqual([digestOf('plain')]);
  });

  it('records a partial batch failure per image with its code and message', async () => {
    const fake = new FakeEcr().add('app', untagged('a'), untagged('b'), untagged('c'));
    fake.deleteHook = (_repo, digest) => (digest === digestOf('b') ? 'KmsError' : undefined);
    const { result } = await sweep(fake);
    expect(outcomeOf(result, 'app', digestOf('b'))).toEqual({ status: 'failed', code: 'KmsError', message: 'KmsError (injected)' });
    expect(outcomeOf(result, 'app', digestOf('a'))).toEqual({ status: 'deleted' });
    expect(result.repositories[0]?.status).toBe('completed');
  });

  it('reports a repository whose deletes keep failing and goes on with the next', async () => {
    const fake = new FakeEcr().add('bad', untagged('x')).add('good', untagged('y'));
    fake.deleteHook = (repo) => (repo === 'bad' ? 'throw' : undefined);
    const { result } = await sweep(fake);
    const bad = result.repositories.find((r) => r.repositoryName === 'bad')!;
    expect(bad.status).toBe('failed');
    expect(bad.error?.code).toBe('ServerException');
    expect(outcomeOf(result, 'bad', digestOf('x'))).toMatchObject({ status: 'failed', code: 'ServerException' });
    expect(result.repositories.find((r) => r.repositoryName === 'good')?.status).toBe('completed');
    expect(fake.digests('good')).toEqual([]);
    expect(result.totals.failedRepositories).toBe(1);
    expect(result.retries).toBeGreaterThan(0);
  });

  it('reports a repository that cannot be listed and sweeps the others', async () => {
    const fake = new FakeEcr().add('a-repo', untagged('x')).add('b-repo', untagged('y'));
    fake.failNext.set('DescribeImages', { error: () => Object.assign(new Error('denied'), { name: 'AccessDeniedException' }), times: 1 });
    const { result } = await sweep(fake, { concurrency: 1 });
    expect(result.repositories.find((r) => r.repositoryName === 'a-repo')).toMatchObject({ status: 'failed', error: { code: 'AccessDeniedException' } });
    expect(result.repositories.find((r) => r.repositoryName === 'b-repo')?.status).toBe('completed');
  });

  it('retries throttled and failed calls with backoff until they succeed', async () => {
    const fake = new FakeEcr().add('app', untagged('a'));
    fake.failNext.set('BatchDeleteImage', { error: throttlingError, times: 2 });
    fake.failNext.set('DescribeRepositories', { error: serverError, times: 1 });
    const { result } = await sweep(fake);
    expect(outcomeOf(result, 'app', digestOf('a'))).toEqual({ status: 'deleted' });
    expect(result.retries).toBe(3);
  });

  it('aborts the run when deletions would exceed maxDeletionsPerRun (engine backstop)', async () => {
    const fake = new FakeEcr().add('app', ...Array.from({ length: 5 }, (_, i) => untagged(`i${i}`)));
    // The planner is given the same cap and blocks the repository: nothing is deleted at all.
    const capped = ruleSet([untaggedOlderThan(7)], { maxDeletionsPerRun: 3 });
    const { result } = await runSweep({ registry: ecrRegistry(fake.client), clock: () => NOW }, { ruleSet: capped, mode: 'apply', now: NOW });
    expect(result.repositories[0]?.status).toBe('blocked');
    expect(fake.deleteCalls).toHaveLength(0);
    expect(fake.digests('app')).toHaveLength(5);
  });

  it('is not disturbed by a progress callback that throws', async () => {
    const fake = new FakeEcr().add('app', untagged('a'), untagged('b'));
    const { result } = await runSweep(
      { registry: ecrRegistry(fake.client), clock: () => NOW, onProgress: () => { throw new Error('terminal gone'); } },
      { ruleSet: rules, mode: 'apply', now: NOW },
    );
    expect(result.totals.deleted).toBe(2);
    expect(result.totals.failed).toBe(0);
  });

  it('refreshes the checkpoint while it runs, then clears it when the run completes', async () => {
    const fake = new FakeEcr().add('a', untagged('x')).add('b', untagged('y')).add('c', untagged('z'));
    const events: string[] = [];
    const store = {
      load: async () => null,
      save: async (c: Checkpoint) => void events.push(`save ${c.finishedRepositories.join(',')}`),
      clear: async () => void events.push('clear'),
    };
    let t = NOW;
    // Every reading of the clock is 40 s later: each finished repository is past the save interval.
    const { result } = await runSweep({ registry: ecrRegistry(fake.client), clock: () => (t += 40_000), checkpoint: store }, { ruleSet: rules, mode: 'apply', now: NOW, concurrency: 1 });
    expect(result.remainingRepositories).toEqual([]);
    // Saved while listing (nothing finished yet), then as each repository finishes, then cleared.
    expect(events.at(0)).toBe('save ');
    expect(events.at(-1)).toBe('clear');
    for (const finished of ['save a', 'save a,b', 'save a,b,c']) expect(events).toContain(finished);
    const finishedCounts = events.slice(0, -1).map((e) => e.split(' ')[1]!.split(',').filter(Boolean).length);
    expect(finishedCounts).toEqual([...finishedCounts].sort((x, y) => x - y));
  });

  it('never deletes in dry-run and never deletes when the plan sink fails', async () => {
    const fake = new FakeEcr().add('app', untagged('a'));
    const dry = await runSweep({ registry: ecrRegistry(fake.client), clock: () => NOW }, { ruleSet: rules, now: NOW });
    expect(dry.result.mode).toBe('dry-run');
    expect(outcomeOf(dry.result, 'app', digestOf('a'))).toEqual({ status: 'would-delete' });
    await expect(
      runSweep({ registry: ecrRegistry(fake.client), clock: () => NOW, planSink: () => Promise.reject(new Error('bucket gone')) }, { ruleSet: rules, mode: 'apply', now: NOW }),
    ).rejects.toMatchObject({ name: 'PlanSinkError', cause: { message: 'bucket gone' } });
    expect(fake.deleteCalls).toHaveLength(0);
    expect(fake.digests('app')).toEqual([digestOf('a')]);
  });
});
