/** Pure pieces of the ECR side: wire-model conversion, index parsing, error classification. */
import { describe, expect, it } from 'vitest';
import { parseIndexChildren, toImageRecord } from '../../lib/adapters/ecr-image-record.js';
import { isRetryable, isThrottle } from '../../lib/adapters/ecr-metered-client.js';
import { chunk } from '../../lib/core/chunk.js';
import { isIndexMediaType } from '../../lib/core/inventory.js';
import { errorCode } from '../../lib/errors.js';

const D = `sha256:${'a'.repeat(64)}`;

describe('toImageRecord', () => {
  it('converts every field, dates to epoch ms', () => {
    expect(
      toImageRecord({
        imageDigest: D,
        imageTags: ['v1', 'latest'],
        imagePushedAt: new Date('2026-01-02T03:04:05.678Z'),
        lastRecordedPullTime: new Date('2026-02-01T00:00:00Z'),
        imageSizeInBytes: 1234,
        imageManifestMediaType: 'application/vnd.oci.image.index.v1+json',
        artifactMediaType: 'application/vnd.oci.empty.v1+json',
        subjectManifestDigest: `sha256:${'b'.repeat(64)}`,
        imageStatus: 'ARCHIVED',
        lastArchivedAt: new Date('2026-03-01T00:00:00Z'),
        lastActivatedAt: new Date('2026-04-01T00:00:00Z'),
      }),
    ).toEqual({
      imageDigest: D,
      imageTags: ['v1', 'latest'],
      imagePushedAt: Date.parse('2026-01-02T03:04:05.678Z'),
      lastRecordedPullTime: Date.parse('2026-02-01T00:00:00Z'),
      imageSizeInBytes: 1234,
      imageManifestMediaType: 'application/vnd.oci.image.index.v1+json',
      artifactMediaType: 'application/vnd.oci.empty.v1+json',
      subjectManifestDigest: `sha256:${'b'.repeat(64)}`,
      imageStatus: 'ARCHIVED',
      lastArchivedAt: Date.parse('2026-03-01T00:00:00Z'),
      lastActivatedAt: Date.parse('2026-04-01T00:00:00Z'),
    });
  });

  it.each([
    ['no digest', {}, null],
    ['bare digest', { imageDigest: D }, { imageDigest: D }],
    ['invalid date dropped', { imageDigest: D, imagePushedAt: new Date('nope') }, { imageDigest: D }],
    ['unknown status dropped', { imageDigest: D, imageStatus: 'DELETED' as 'ACTIVE' }, { imageDigest: D }],
    ['empty tag list kept as empty', { imageDigest: D, imageTags: [] }, { imageDigest: D, imageTags: [] }],
  ])('%s', (_name, detail, expected) => {
    expect(toImageRecord(detail)).toEqual(expected);
  });
});

describe('parseIndexChildren', () => {
  const index = (manifests: unknown): string => JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests });
  it.each([
    ['two children', index([{ digest: 'sha256:1' }, { digest: 'sha256:2' }]), ['sha256:1', 'sha256:2']],
    ['empty index', index([]), []],
    ['missing text', undefined, undefined],
    ['not JSON', '{', undefined],
    ['not an index', JSON.stringify({ schemaVersion: 2, layers: [] }), undefined],
    // One unreadable entry makes the whole list untrustworthy.
    ['entry without digest', index([{ digest: 'sha256:1' }, { size: 3 }]), undefined],
    ['JSON null', 'null', undefined],
  ])('%s', (_name, text, expected) => {
    expect(parseIndexChildren(text)).toEqual(expected);
  });

  it('recognises both index media types and nothing else', () => {
    expect(isIndexMediaType('application/vnd.oci.image.index.v1+json')).toBe(true);
    expect(isIndexMediaType('application/vnd.docker.distribution.manifest.list.v2+json')).toBe(true);
    expect(isIndexMediaType('application/vnd.oci.image.manifest.v1+json')).toBe(false);
    expect(isIndexMediaType(undefined)).toBe(false);
  });
});

describe('error classification', () => {
  const err = (name: string, status?: number, code?: string): Error =>
    Object.assign(new Error(name), { name, ...(status ? { $metadata: { httpStatusCode: status } } : {}), ...(code ? { code } : {}) });
  it.each([
    ['ThrottlingException', err('ThrottlingException', 400), true, true],
    ['HTTP 429', err('Whatever', 429), true, true],
    ['ServerException', err('ServerException', 500), false, true],
    ['HTTP 503', err('ServiceUnavailable', 503), false, true],
    ['socket reset', err('Error', undefined, 'ECONNRESET'), false, true],
    ['TimeoutError', err('TimeoutError'), false, true],
    ['RepositoryNotFoundException', err('RepositoryNotFoundException', 400), false, false],
    ['InvalidParameterException', err('InvalidParameterException', 400), false, false],
  ])('%s', (_name, error, throttle, retryable) => {
    expect(isThrottle(error)).toBe(throttle);
    expect(isRetryable(error)).toBe(retryable);
  });

  it('names errors by their SDK name, then their node code', () => {
    expect(errorCode(err('ImageNotFoundException'))).toBe('ImageNotFoundException');
    expect(errorCode(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).toBe('ECONNREFUSED');
    expect(errorCode('a string')).toBe('UnknownError');
  });
});

describe('chunk', () => {
  it.each([
    [0, 100, []],
    [100, 100, [100]],
    [101, 100, [100, 1]],
    [250, 100, [100, 100, 50]],
  ])('%i items in slices of %i', (n, size, lengths) => {
    const items = Array.from({ length: n }, (_, i) => i);
    const slices = chunk(items, size);
    expect(slices.map((s) => s.length)).toEqual(lengths);
    expect(slices.flat()).toEqual(items);
  });
});
