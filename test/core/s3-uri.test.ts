import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { checkBucketName, checkS3Uri, parseS3Uri, S3UriError } from '../../lib/core/s3-uri.js';
import { ConfigError } from '../../lib/errors.js';

describe('checkBucketName (S3 general purpose bucket naming rules)', () => {
  it.each(['abc', 'my-bucket', 'my.bucket.2', 'a'.repeat(63), '1bucket', 'my-ap-abc123-s3alias', 'dir--usw2-az1--x-s3'])('accepts %s', (name) => {
    expect(checkBucketName(name)).toBeNull();
  });

  it.each<[string, string]>([
    ['ab', 'a bucket name has 3 to 63 characters, this one has 2'],
    ['a'.repeat(64), 'a bucket name has 3 to 63 characters, this one has 64'],
    ['My-Bucket', 'a bucket name has only lowercase letters, digits, "." and "-"'],
    ['my_bucket', 'a bucket name has only lowercase letters, digits, "." and "-"'],
    ['-bucket', 'a bucket name begins and ends with a letter or a digit'],
    ['bucket.', 'a bucket name begins and ends with a letter or a digit'],
    ['my..bucket', 'a bucket name has no two adjacent "."'],
    ['192.168.5.4', 'a bucket name is not an IP address'],
    ['xn--bucket', 'a bucket name cannot start with "xn--" (reserved by S3)'],
    ['sthree-bucket', 'a bucket name cannot start with "sthree-" (reserved by S3)'],
    ['amzn-s3-demo-bucket', 'a bucket name cannot start with "amzn-s3-demo-" (reserved by S3)'],
  ])('refuses %s', (name, message) => {
    expect(checkBucketName(name)).toBe(message);
  });
});

describe('parseS3Uri', () => {
  it.each<[string, { bucket: string; prefix: string }]>([
    ['s3://my-bucket', { bucket: 'my-bucket', prefix: '' }],
    ['s3://my-bucket/', { bucket: 'my-bucket', prefix: '' }],
    ['s3://my-bucket/in-use/', { bucket: 'my-bucket', prefix: 'in-use/' }],
    ['s3://my-bucket/in-use/prod-eks.json', { bucket: 'my-bucket', prefix: 'in-use/prod-eks.json' }],
  ])('%s', (uri, location) => {
    expect(parseS3Uri(uri)).toEqual(location);
    expect(checkS3Uri(uri)).toBeNull();
  });

  it.each<[string, string]>([
    ['https://b/x', 'an S3 URI starts with s3://'],
    ['s3://', 'no bucket: write s3://bucket/prefix/'],
    ['s3:///x', 'no bucket: write s3://bucket/prefix/'],
    ['s3://B/x', 'bucket "B": a bucket name has 3 to 63 characters, this one has 1'],
    [`s3://bucket/${'é'.repeat(513)}`, 'the key prefix is 1026 bytes; an S3 key is at most 1024'],
  ])('refuses %s with a ConfigError that names the URI', (uri, problem) => {
    expect(checkS3Uri(uri)).toBe(problem);
    const error = (() => {
      try {
        parseS3Uri(uri);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(S3UriError);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as S3UriError).message).toBe(`invalid S3 URI ${JSON.stringify(uri)}: ${problem}`);
  });

  it('a valid URI splits back into what built it', () => {
    const bucket = fc.stringMatching(/^[a-z0-9][a-z0-9-]{1,40}[a-z0-9]$/).filter((b) => !/^(xn--|sthree-|amzn-s3-demo-)/.test(b));
    fc.assert(
      fc.property(bucket, fc.stringMatching(/^[A-Za-z0-9/._-]{0,80}$/), (b, prefix) => {
        expect(parseS3Uri(`s3://${b}/${prefix}`)).toEqual({ bucket: b, prefix });
      }),
    );
  });
});
