/**
 * The in-use file reader against real files in a temp directory and a real S3 API (s3rver on
 * 127.0.0.1, through the AWS SDK over HTTP): what it reads, and every way it fails closed.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InUseFileReader, parseS3Location, type InUseFileReaderOptions } from '../../lib/adapters/in-use-files.js';
import type { InUseFileSettings } from '../../lib/core/rules-model.js';
import { InUseSourceError } from '../../lib/engine/errors.js';
import { ConfigError } from '../../lib/errors.js';
import { startFakeS3 } from '../reports/helpers/s3rver-server.js';
import { describeS3InUseFiles, scanError } from './in-use-files-s3-suite.js';

const HOST = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';
const WEB = `${HOST}/web:v1`;
const API = `${HOST}/api@sha256:${'b'.repeat(64)}`;
const HOUR = 3_600_000;

function settings(over: Partial<InUseFileSettings> = {}): InUseFileSettings {
  return { locations: [], maxAgeMs: 24 * HOUR, expect: [], ...over };
}


describe('in-use files on the local file system', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ecr-sweeper-in-use-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const reader = (over: Partial<InUseFileSettings> = {}, options: Partial<InUseFileReaderOptions> = {}) =>
    new InUseFileReader({ settings: settings(over), baseDirectory: dir, ...options });
  const write = (name: string, value: unknown) => writeFile(join(dir, name), typeof value === 'string' ? value : JSON.stringify(value));

  it('reads every *.json file of a directory, relative to the base directory, in name order', async () => {
    await mkdir(join(dir, 'in-use/nested'), { recursive: true });
    await write('in-use/b-prod-eks.json', { generatedAt: new Date().toISOString(), source: 'prod-eks', images: [{ image: WEB, consumer: 'deployment shop/web' }] });
    await write('in-use/a-ecrm.json', [API]);
    await write('in-use/notes.txt', 'not an in-use file');
    await write('in-use/nested/ignored.json', '{');

    const scan = await reader({ locations: ['in-use'], expect: ['prod-eks', 'a-ecrm'] }).scan({ now: Date.now() });

    expect(scan.usages).toEqual([
      { consumer: `in-use file ${dir}/in-use/a-ecrm.json`, source: 'file', reference: API },
      { consumer: `Kubernetes prod-eks, deployment shop/web (from in-use file ${dir}/in-use/b-prod-eks.json)`, source: 'file', reference: WEB },
    ]);
    expect(scan.calls).toEqual({});
  });

  it('reads a file named directly, whatever its extension, and a file named twice once', async () => {
    await write('refs.txt', [WEB]);
    await write('x.json', [API]);
    const scan = await reader({ locations: ['refs.txt', '.', join(dir, 'x.json')] }).scan({ now: Date.now() });
    expect(scan.usages.map((u) => u.reference)).toEqual([WEB, API]);
  });

  it('reads the default location when the rules list none', async () => {
    await write('d.json', [WEB]);
    const r = reader({}, { defaultLocation: join(dir, 'd.json') });
    expect(r.label).toBe(`in-use files (${join(dir, 'd.json')})`);
    expect((await r.scan({ now: Date.now() })).usages).toHaveLength(1);
  });

  it('fails closed on a location that does not exist, naming it as resolved and as written', async () => {
    const error = await scanError(reader({ locations: ['gone/'] }));
    expect(error.source).toBe('file');
    expect(error.code).toBe('location-not-found');
    expect(error.location).toBe(join(dir, 'gone'));
    expect(error.message).toBe(`file: ${join(dir, 'gone')}: location-not-found: does not exist (inUse.files location 'gone/')`);
  });

  it('fails closed on a directory with no .json file (the exporter never wrote)', async () => {
    await mkdir(join(dir, 'empty'));
    expect((await scanError(reader({ locations: ['empty'] }))).code).toBe('location-not-found');
  });

  it('fails closed on malformed files, naming each with its JSON path or position, and returns nothing', async () => {
    await write('good.json', [WEB]);
    await write('bad-path.json', { images: [WEB, 42] });
    await write('bad-syntax.json', '[\n  "a:1",\n]');
    const error = await scanError(reader({ locations: ['.'] }));
    expect(error.code).toBe('file-malformed');
    expect(error.problems.map((p) => [p.where, p.at])).toEqual([
      [join(dir, 'bad-path.json'), '$.images[1]'],
      [join(dir, 'bad-syntax.json'), 'line 3, column 1'],
    ]);
    expect(error.message).toContain(`file: ${join(dir, 'bad-path.json')}: file-malformed: $.images[1]: expected an image reference string`);
    expect(error.message).toContain(`; ${join(dir, 'bad-syntax.json')}: line 3, column 1: JSON syntax`);
  });

  it('fails closed on a file older than maxAge by its modification time', async () => {
    await write('old.json', [WEB]);
    const day = Date.now() / 1000 - 25 * 3600;
    await utimes(join(dir, 'old.json'), day, day);
    const error = await scanError(reader({ locations: ['old.json'] }));
    expect(error.code).toBe('file-stale');
    expect(error.message).toMatch(/modification time .* is 25h old, older than inUse\.files\.maxAge \(24h\)/);
    // The same file within a longer maxAge is fine.
    expect((await reader({ locations: ['old.json'], maxAgeMs: 26 * HOUR }).scan({ now: Date.now() })).usages).toHaveLength(1);
  });

  it('judges age by generatedAt over the modification time, and refuses a future generatedAt', async () => {
    const now = Date.now();
    await write('stale.json', { generatedAt: new Date(now - 30 * HOUR).toISOString(), images: [WEB] });
    expect((await scanError(reader({ locations: ['stale.json'] }), now)).code).toBe('file-stale');
    await write('future.json', { generatedAt: new Date(now + HOUR).toISOString(), images: [WEB] });
    expect((await scanError(reader({ locations: ['future.json'] }), now)).code).toBe('file-from-future');
  });

  it('fails closed on an expected source with no file', async () => {
    await write('prod-eks.json', { source: 'prod-eks', images: [] });
    const error = await scanError(reader({ locations: ['.'], expect: ['prod-eks', 'staging-eks'] }));
    expect(error.code).toBe('file-missing');
    expect(error.location).toBe('staging-eks');
    expect(error.message).toMatch(/inUse\.files\.expect names source 'staging-eks', but no in-use file has that "source" or file name/);
  });

  it('fails closed on a file larger than the limit, before reading it whole', async () => {
    await write('big.json', [WEB, WEB, WEB]);
    const error = await scanError(reader({ locations: ['big.json'] }, { limits: { maxFileBytes: 64 } }));
    expect(error.code).toBe('file-too-large');
    expect(error.message).toMatch(/larger than 64 bytes, the limit for one in-use file/);
  });

  it('fails closed on too many files and too many references', async () => {
    for (const n of [1, 2, 3]) await write(`${n}.json`, [WEB, API]);
    expect((await scanError(reader({ locations: ['.'] }, { limits: { maxFiles: 2 } }))).code).toBe('too-many-files');
    expect((await scanError(reader({ locations: ['.'] }, { limits: { maxReferences: 5 } }))).code).toBe('too-many-references');
    expect((await reader({ locations: ['.'] }, { limits: { maxFiles: 3, maxReferences: 6 } }).scan({ now: Date.now() })).usages).toHaveLength(6);
  });

  it('fails closed on a .json that is not a regular file (a FIFO), without blocking on it', async () => {
    await write('a.json', [WEB]);
    execFileSync('mkfifo', [join(dir, 'pipe.json')]);
    const error = await scanError(reader({ locations: ['.'] }));
    expect(error.code).toBe('file-unreadable');
    expect(error.location).toBe(join(dir, 'pipe.json'));
    expect(error.message).toMatch(/FIFO/);
  });

  it('stops with an aborted error when the signal is aborted', async () => {
    await write('a.json', [WEB]);
    const controller = new AbortController();
    controller.abort('deadline');
    const error = await reader({ locations: ['.'] }).scan({ now: Date.now(), signal: controller.signal }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InUseSourceError);
    expect((error as InUseSourceError).code).toBe('Aborted');
  });

  it('refuses a configuration it cannot read at construction', () => {
    expect(() => reader()).toThrow(ConfigError);
    expect(() => reader()).toThrow(/inUse\.files has no locations/);
    expect(() => reader({ locations: ['s3://bucket/in-use/'] })).toThrow(/is in S3, but this run has no S3 client/);
    expect(() => reader({ locations: ['s3:///in-use/'] })).toThrow('invalid S3 URI "s3:///in-use/": no bucket: write s3://bucket/prefix/');
  });
});

describe('parseS3Location', () => {
  it.each([
    ['s3://ops/in-use/', { bucket: 'ops', prefix: 'in-use/' }],
    ['s3://ops', { bucket: 'ops', prefix: '' }],
    ['s3://ops.example/a/b.json', { bucket: 'ops.example', prefix: 'a/b.json' }],
    ['./in-use', null],
    ['/abs/s3://x', null],
  ])('%s', (uri, expected) => expect(parseS3Location(uri)).toEqual(expected));

  // The loader's own rules (lib/core/s3-uri.ts): what the rules accept is what the reader reads.
  it.each(['s3://', 's3://Ops/x', 's3://a b/x', 's3://bucket:9000/x', 'S3://ops/x', 's3://ab/x', 's3://192.168.1.1/x'])('rejects %s', (uri) => {
    expect(() => parseS3Location(uri)).toThrow(ConfigError);
  });
});

describeS3InUseFiles('s3rver', async () => {
  const s3 = await startFakeS3([]);
  return { client: s3.client, stop: () => s3.stop(), paginates: false };
});
