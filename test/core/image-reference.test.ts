/**
 * Image references as consumers write them: every ECR host form, tags, digests, ports, other
 * registries, and malformed input (a result, never a throw).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatImageReference,
  isThisRegistry,
  parseImageReference,
  type EcrRegistry,
  type ImageReference,
} from '../../lib/core/image-reference.js';

const DIGEST = `sha256:${'ab'.repeat(32)}`;
const ACCT = '123456789012';

function ok(input: string): ImageReference {
  const parsed = parseImageReference(input);
  if (!parsed.ok) throw new Error(`expected ${input} to parse: ${parsed.problem}`);
  return parsed.reference;
}

describe('parseImageReference: ECR host forms', () => {
  const ecr = (region: string, partition: EcrRegistry['partition'], hostForm: EcrRegistry['hostForm'], port?: number): EcrRegistry => ({
    accountId: ACCT,
    region,
    partition,
    hostForm,
    ...(port === undefined ? {} : { port }),
  });
  it.each<[string, EcrRegistry]>([
    [`${ACCT}.dkr.ecr.eu-west-1.amazonaws.com/payments:v1`, ecr('eu-west-1', 'aws', 'standard')],
    [`${ACCT}.dkr.ecr-fips.us-gov-west-1.amazonaws.com/payments:v1`, ecr('us-gov-west-1', 'aws', 'fips')],
    [`${ACCT}.dkr.ecr-fips.us-east-1.amazonaws.com/payments:v1`, ecr('us-east-1', 'aws', 'fips')],
    [`${ACCT}.dkr.ecr.cn-north-1.amazonaws.com.cn/payments:v1`, ecr('cn-north-1', 'aws-cn', 'standard')],
    [`${ACCT}.dkr.ecr.cn-northwest-1.amazonaws.com.cn/payments:v1`, ecr('cn-northwest-1', 'aws-cn', 'standard')],
    [`${ACCT}.dkr-ecr.eu-west-1.on.aws/payments:v1`, ecr('eu-west-1', 'aws', 'dual-stack')],
    [`${ACCT}.dkr-ecr-fips.us-east-1.on.aws/payments:v1`, ecr('us-east-1', 'aws', 'dual-stack-fips')],
    [`${ACCT}.DKR.ECR.EU-WEST-1.AMAZONAWS.COM/payments:v1`, ecr('eu-west-1', 'aws', 'standard')],
    [`${ACCT}.dkr.ecr.eu-west-1.amazonaws.com:443/payments:v1`, ecr('eu-west-1', 'aws', 'standard', 443)],
  ])('%s', (input, registry) => {
    expect(ok(input)).toEqual({ registry, repositoryName: 'payments', tag: 'v1' });
  });

  it.each([
    // A China Region under .com, a commercial Region under .com.cn, dual-stack spelt dkr.ecr: no real endpoint.
    `${ACCT}.dkr.ecr.cn-north-1.amazonaws.com/app`,
    `${ACCT}.dkr.ecr.eu-west-1.amazonaws.com.cn/app`,
    `${ACCT}.dkr.ecr.eu-west-1.on.aws/app`,
    `${ACCT}.dkr-ecr.eu-west-1.amazonaws.com/app`,
    // 11 digits is no account.
    `12345678901.dkr.ecr.eu-west-1.amazonaws.com/app`,
    `public.ecr.aws/app`,
  ])('%s is another registry, not ECR private', (input) => {
    const ref = ok(input);
    expect(ref.registry).not.toBeNull();
    expect(ref.registry && 'other' in ref.registry).toBe(true);
  });
});

describe('parseImageReference: repository, tag and digest', () => {
  it.each<[string, ImageReference]>([
    ['nginx', { registry: null, repositoryName: 'nginx', tag: 'latest' }],
    ['library/nginx:1.27', { registry: null, repositoryName: 'library/nginx', tag: '1.27' }],
    [`nginx@${DIGEST}`, { registry: null, repositoryName: 'nginx', digest: DIGEST }],
    [`nginx:1.27@${DIGEST}`, { registry: null, repositoryName: 'nginx', tag: '1.27', digest: DIGEST }],
    ['docker.io/library/nginx', { registry: { other: 'docker.io' }, repositoryName: 'library/nginx', tag: 'latest' }],
    ['localhost:5000/team/app:v2', { registry: { other: 'localhost:5000' }, repositoryName: 'team/app', tag: 'v2' }],
    ['LOCALHOST/app', { registry: { other: 'localhost' }, repositoryName: 'app', tag: 'latest' }],
    ['Registry.Example.com:8443/a/b/c:x', { registry: { other: 'registry.example.com:8443' }, repositoryName: 'a/b/c', tag: 'x' }],
    [`${ACCT}.dkr.ecr.eu-west-1.amazonaws.com/team/svc`, {
      registry: { accountId: ACCT, region: 'eu-west-1', partition: 'aws', hostForm: 'standard' },
      repositoryName: 'team/svc',
      tag: 'latest',
    }],
    ['  app:v1  ', { registry: null, repositoryName: 'app', tag: 'v1' }],
  ])('%s', (input, expected) => {
    expect(ok(input)).toEqual(expected);
  });

  it.each<[string, RegExp]>([
    ['', /empty/],
    ['   ', /empty/],
    ['App:v1', /'App' is not a valid repository name/],
    [`${ACCT}.dkr.ecr.eu-west-1.amazonaws.com/Payments:v1`, /'Payments' is not a valid repository name/],
    ['app:', /'' is not a valid tag/],
    ['app:-x', /'-x' is not a valid tag/],
    [`app:${'t'.repeat(129)}`, /is not a valid tag/],
    ['app@sha256:abc', /'sha256:abc' is not a digest/],
    [`app@${DIGEST.toUpperCase()}`, /is not a digest/],
    ['app@', /is not a digest/],
    ['example.com:99999/app', /invalid port/],
    ['example.com:/app', /invalid port/],
    ['exa_mple.com/app', /not a valid registry host/],
    ['/app', /not a valid repository name/],
    ['app//x', /not a valid repository name/],
    ['a@b@c', /is not a digest/],
  ])('%j is malformed: %s', (input, problem) => {
    const parsed = parseImageReference(input);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.input).toBe(input);
      expect(parsed.problem).toMatch(problem);
    }
  });

  it('never throws, whatever the text', () => {
    fc.assert(fc.property(fc.string({ maxLength: 80 }), (s) => {
      const parsed = parseImageReference(s);
      expect(typeof parsed.ok).toBe('boolean');
    }));
  });
});

describe('isThisRegistry', () => {
  it('matches the account and Region in every host form, and nothing else', () => {
    for (const host of [`${ACCT}.dkr.ecr.eu-west-1.amazonaws.com`, `${ACCT}.dkr-ecr.eu-west-1.on.aws`, `${ACCT}.dkr.ecr-fips.eu-west-1.amazonaws.com`]) {
      expect(isThisRegistry(ok(`${host}/app`), ACCT, 'eu-west-1')).toBe(true);
      expect(isThisRegistry(ok(`${host}/app`), ACCT, 'eu-west-2')).toBe(false);
      expect(isThisRegistry(ok(`${host}/app`), '210987654321', 'eu-west-1')).toBe(false);
    }
    expect(isThisRegistry(ok('app'), ACCT, 'eu-west-1')).toBe(false);
    expect(isThisRegistry(ok('docker.io/app'), ACCT, 'eu-west-1')).toBe(false);
  });
});

const component = fc.stringMatching(/^[a-z0-9]+(?:[._-][a-z0-9]+)*$/, { size: 'small' });
const repositoryName = fc.array(component, { minLength: 1, maxLength: 3 }).map((parts) => parts.join('/'));
const tag = fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}$/);
const digest = fc.stringMatching(/^[0-9a-f]{64}$/).map((h) => `sha256:${h}`);
const ecrRegistry: fc.Arbitrary<EcrRegistry> = fc
  .record({
    accountId: fc.stringMatching(/^\d{12}$/),
    region: fc.constantFrom('us-east-1', 'eu-west-1', 'ap-southeast-2', 'us-gov-west-1', 'cn-north-1', 'cn-northwest-1'),
    hostForm: fc.constantFrom<EcrRegistry['hostForm']>('standard', 'fips', 'dual-stack', 'dual-stack-fips'),
    port: fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
  })
  .map(({ accountId, region, hostForm, port }) => ({
    accountId,
    region,
    partition: region.startsWith('cn-') ? ('aws-cn' as const) : ('aws' as const),
    hostForm,
    ...(port === undefined ? {} : { port }),
  }));
const other = fc.constantFrom('docker.io', 'public.ecr.aws', 'ghcr.io', 'localhost:5000', 'registry.example.com:8443', 'quay.io');

describe('formatImageReference → parseImageReference', () => {
  it('round-trips every reference', () => {
    const reference: fc.Arbitrary<ImageReference> = fc
      .record({
        registry: fc.oneof(fc.constant(null), ecrRegistry, other.map((o) => ({ other: o }))),
        repositoryName,
        tag: fc.option(tag, { nil: undefined }),
        digest: fc.option(digest, { nil: undefined }),
      })
      // Without a host, a first component that looks like one (a dot, localhost) would be read as the host, as Docker does.
      .filter(({ registry, repositoryName }) => registry !== null || !/^(?:[^/]*\.[^/]*|localhost)\//.test(repositoryName))
      .map(({ registry, repositoryName, tag, digest }) => {
        const ref: ImageReference = { registry, repositoryName };
        // With neither a tag nor a digest the parser reads `latest`.
        if (tag !== undefined || digest === undefined) ref.tag = tag ?? 'latest';
        if (digest !== undefined) ref.digest = digest;
        return ref;
      });
    fc.assert(
      fc.property(reference, (ref) => {
        expect(ok(formatImageReference(ref))).toEqual(ref);
      }),
      { numRuns: 500 },
    );
  });
});
