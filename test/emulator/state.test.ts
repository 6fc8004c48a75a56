import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeImagesCommand } from '@aws-sdk/client-ecr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmulatorStateError, startEmulator, type StateFile } from '../../emulator/index.js';
import { manifestOf, materializeImages } from '../../emulator/materialize.js';
import { parseStateTime } from '../../emulator/time.js';
import { startFixture, stopFixture } from './support.js';

const NOW = Date.parse('2026-06-01T00:00:00Z');

describe('parseStateTime', () => {
  it.each([
    ['-10d', NOW - 10 * 86_400_000],
    ['-36h', NOW - 36 * 3_600_000],
    ['-90m', NOW - 90 * 60_000],
    ['-30s', NOW - 30_000],
    ['-1500ms', NOW - 1500],
    ['-1.5d', NOW - 1.5 * 86_400_000],
    ['-2w', NOW - 14 * 86_400_000],
    ['+1h', NOW + 3_600_000],
    ['2026-01-31T12:00:00Z', Date.parse('2026-01-31T12:00:00Z')],
    ['2026-01-31T12:00:00.250+02:00', Date.parse('2026-01-31T10:00:00.250Z')],
    ['2026-01-31', Date.parse('2026-01-31')],
  ])('%s', (text, expected) => {
    expect(parseStateTime(text, NOW, 'x')).toBe(expected);
  });

  it.each(['10d', '-10 d', 'yesterday', '-10y', '31/01/2026', ''])('rejects %j naming the path', (text) => {
    expect(() => parseStateTime(text, NOW, 'repositories[0].images[1].pushedAt')).toThrow(
      /^repositories\[0\]\.images\[1\]\.pushedAt: .* is not a time/,
    );
  });
});

describe('state files', () => {
  it('loads from a path, with the file\'s now freezing the clock', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ecr-emu-'));
    const file = join(dir, 'state.json');
    await writeFile(file, JSON.stringify({ now: '2026-06-01T00:00:00Z', repositories: [{ name: 'a/b', images: [{ tags: ['x'], pushedAt: '-1d' }] }] }));
    const f = await startFixture({ state: file });
    expect(f.emulator.now()).toBe(NOW);
    expect(f.emulator.images('a/b')[0]?.imagePushedAt).toBe(NOW - 86_400_000);
    await stopFixture(f);
    await rm(dir, { recursive: true });
  });

  it('says which file is missing or not JSON', async () => {
    await expect(startEmulator({ state: '/nonexistent/state.json' })).rejects.toThrow(/\/nonexistent\/state.json: cannot read the state file/);
    const dir = await mkdtemp(join(tmpdir(), 'ecr-emu-'));
    const file = join(dir, 'bad.json');
    await writeFile(file, '{"repositories": [');
    await expect(startEmulator({ state: file })).rejects.toThrow(/bad.json: the state file is not valid JSON/);
    await rm(dir, { recursive: true });
  });

  it.each<[unknown, RegExp]>([
    [{}, /^repositories: a state file needs a "repositories" array/],
    [{ repositories: [{ name: 'Bad Name' }] }, /^repositories\[0\]\.name: "Bad Name" is not a valid repository name/],
    [{ repositories: [{ name: 'a/b', images: [{ tags: ['ok', 'bad tag'] }] }] }, /^repositories\[0\]\.images\[0\]\.tags\[1\]: "bad tag" is not a valid tag/],
    [{ repositories: [{ name: 'a/b', images: [{ tags: ['x'] }, { tags: ['x'] }] }] }, /^repositories\[0\]\.images\[1\]\.tags: tag "x" is already on repositories\[0\]\.images\[0\]/],
    [{ repositories: [{ name: 'a/b', images: [{ pushedAt: 'last week' }] }] }, /^repositories\[0\]\.images\[0\]\.pushedAt: "last week" is not a time/],
    [{ repositories: [{ name: 'a/b', images: [{ sizeInBytes: -1 }] }] }, /^repositories\[0\]\.images\[0\]\.sizeInBytes: must be a non-negative integer/],
    [{ repositories: [{ name: 'a/b', images: [{ subject: 'nope' }] }] }, /^repositories\[0\]\.images\[0\]\.subject: "nope" is not the tag of any/],
    [{ repositories: [{ name: 'a/b', images: [{ children: [] }] }] }, /^repositories\[0\]\.images\[0\]\.children: must be a non-empty array/],
    [{ repositories: [{ name: 'a/b', images: [{ children: [{ children: [{}] }] }] }] }, /^repositories\[0\]\.images\[0\]\.children\[0\]\.children: a child cannot have children/],
    [{ repositories: [{ name: 'a/b', images: [{ status: 'GONE' }] }] }, /^repositories\[0\]\.images\[0\]\.status: must be ACTIVE, ARCHIVED or ACTIVATING/],
    [{ now: 'soon', repositories: [] }, /^state\.now: "soon" is not a time/],
  ])('rejects %j with a message naming the field', async (state, message) => {
    const error = await startEmulator({ state: state as StateFile }).then(
      (e) => e.stop().then(() => undefined),
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(EmulatorStateError);
    expect((error as Error).message).toMatch(message);
  });

  it('digests are deterministic for the same input and distinct for identical entries', () => {
    const images = [{}, {}, { tags: ['a'], sizeInBytes: 5 }, { tags: ['m'], children: [{}, {}] }, { subject: 'a' }];
    const one = materializeImages('team/app', images, NOW, 'r');
    const two = materializeImages('team/app', images, NOW, 'r');
    expect(one.map((m) => m.digest)).toEqual(two.map((m) => m.digest));
    expect(new Set(one.map((m) => m.digest)).size).toBe(one.length);
    // Another repository name gives other digests; a seed pins a digest regardless of position.
    expect(materializeImages('team/other', images, NOW, 'r')[0]?.digest).not.toBe(one[0]?.digest);
    const seeded = materializeImages('team/app', [{}, { seed: 'pinned' }], NOW, 'r')[1]?.digest;
    expect(materializeImages('team/app', [{ seed: 'pinned' }], NOW, 'r')[0]?.digest).toBe(seeded);
  });

  it('layer sizes sum exactly to sizeInBytes, and manifests reference the subject by its real digest and size', () => {
    const [image, ref] = materializeImages('team/app', [{ tags: ['v1'], sizeInBytes: 1_000_003 }, { subject: 'v1', artifactType: 'application/spdx+json' }], NOW, 'r');
    const m = JSON.parse(image ? manifestOf(image) : '{}') as { layers: { size: number }[] };
    expect(m.layers.reduce((s, l) => s + l.size, 0)).toBe(1_000_003);
    const r = JSON.parse(ref ? manifestOf(ref) : '{}') as { artifactType: string; subject: { digest: string; size: number } };
    expect(r.artifactType).toBe('application/spdx+json');
    expect(r.subject).toEqual({ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: image?.digest, size: Buffer.byteLength(image ? manifestOf(image) : '') });
  });
});

describe('multi-arch and referrer state forms over the SDK', () => {
  const state: StateFile = {
    now: '2026-06-01T00:00:00Z',
    repositories: [
      {
        name: 'team/app',
        images: [
          { tags: ['multi'], pushedAt: '-3d', children: [{ sizeInBytes: 10, platform: 'linux/amd64' }, { sizeInBytes: 30, platform: 'linux/arm64' }, { sizeInBytes: 20, platform: 'linux/arm/v7' }] },
          { subject: 'multi', pushedAt: '-3d' },
          { subject: 'sig-holder', artifactType: 'application/vnd.in-toto+json' },
          { tags: ['sig-holder'], subject: 'multi' },
        ],
      },
    ],
  };
  let f: Awaited<ReturnType<typeof startFixture>>;
  beforeAll(async () => {
    f = await startFixture({ state });
  });
  afterAll(() => stopFixture(f));

  it('stores children as untagged manifests listed by the index, with the index reporting the largest child', async () => {
    const details = (await f.ecr.send(new DescribeImagesCommand({ repositoryName: 'team/app' }))).imageDetails ?? [];
    const index = details.find((d) => d.imageTags?.includes('multi'));
    const snapshot = f.emulator.findImage('team/app', { tag: 'multi' });
    expect(index?.imageSizeInBytes).toBe(30);
    const children = details.filter((d) => snapshot?.childDigests?.includes(d.imageDigest as string));
    expect(children.map((c) => c.imageSizeInBytes)).toEqual([10, 30, 20]);
    expect(children.every((c) => c.imageTags === undefined && c.imagePushedAt?.getTime() === index?.imagePushedAt?.getTime())).toBe(true);
  });

  it('resolves referrers of referrers regardless of file order', () => {
    const index = f.emulator.findImage('team/app', { tag: 'multi' });
    const holder = f.emulator.findImage('team/app', { tag: 'sig-holder' });
    expect(holder?.subjectManifestDigest).toBe(index?.imageDigest);
    const attestation = f.emulator.images('team/app').find((i) => i.artifactMediaType === 'application/vnd.in-toto+json');
    expect(attestation?.subjectManifestDigest).toBe(holder?.imageDigest);
  });
});

describe('the clock', () => {
  it('setNow changes what relative times and pushes resolve to; undefined returns to wall time', async () => {
    const emulator = await startEmulator({ now: '2026-01-01T00:00:00Z' });
    emulator.addImages('a/b', [{ tags: ['one'], pushedAt: '-1h' }]);
    expect(emulator.findImage('a/b', { tag: 'one' })?.imagePushedAt).toBe(Date.parse('2025-12-31T23:00:00Z'));
    emulator.setNow(new Date('2027-05-05T05:05:05Z'));
    expect(emulator.now()).toBe(Date.parse('2027-05-05T05:05:05Z'));
    emulator.loadState({ repositories: [{ name: 'a/b', images: [{ tags: ['two'], pushedAt: '-1d' }] }] });
    expect(emulator.findImage('a/b', { tag: 'two' })?.imagePushedAt).toBe(Date.parse('2027-05-04T05:05:05Z'));
    emulator.setNow(undefined);
    expect(Math.abs(emulator.now() - Date.now())).toBeLessThan(60_000);
    await emulator.stop();
  });

  it('loading a state into an existing repository adds images with fresh digests and moves tags', async () => {
    const emulator = await startEmulator({ now: '2026-01-01T00:00:00Z' });
    emulator.loadState({ repositories: [{ name: 'a/b', images: [{ tags: ['latest'] }, {}] }] });
    const first = emulator.findImage('a/b', { tag: 'latest' })?.imageDigest;
    emulator.loadState({ repositories: [{ name: 'a/b', images: [{ tags: ['latest'] }, {}] }] });
    expect(emulator.images('a/b')).toHaveLength(4);
    expect(emulator.findImage('a/b', { tag: 'latest' })?.imageDigest).not.toBe(first);
    expect(emulator.findImage('a/b', { digest: first })?.imageTags).toEqual([]);
    emulator.tagImage('a/b', first as string, 'back');
    expect(emulator.findImage('a/b', { tag: 'back' })?.imageDigest).toBe(first);
    emulator.clear();
    expect(emulator.repositories()).toEqual([]);
    await emulator.stop();
  });
});
