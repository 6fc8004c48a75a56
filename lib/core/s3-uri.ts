/**
 * `s3://bucket/prefix` URIs as rules files write them (in-use file locations). A wrong bucket name
 * is caught when the rules are loaded, not as an access error in the middle of a run: an unread
 * in-use source fails the run closed, so a typo there would block every deletion.
 */
import { ConfigError } from '../errors.js';

/** A bucket and a key prefix ('' for the whole bucket). */
export interface S3Location {
  bucket: string;
  prefix: string;
}

/** An `s3://` URI that no S3 bucket can have. A configuration error: nothing ran. */
export class S3UriError extends ConfigError {
  readonly uri: string;
  constructor(uri: string, message: string, options?: ErrorOptions) {
    super(`invalid S3 URI ${JSON.stringify(uri)}: ${message}`, options);
    this.uri = uri;
  }
}

/** S3 object keys are at most 1,024 bytes (UTF-8). */
export const MAX_S3_KEY_BYTES = 1024;

const SCHEME = 's3://';
const IP_ADDRESS = /^\d{1,3}(\.\d{1,3}){3}$/;
// Reserved by S3 for its own names; no bucket can start with them.
const RESERVED_PREFIXES = ['xn--', 'sthree-', 'amzn-s3-demo-'] as const;

/**
 * Why `bucket` cannot be an S3 general purpose bucket name, or null when it can be one.
 * Names ending in S3's reserved suffixes (`-s3alias`, `--ol-s3`, `--x-s3`...) are accepted: they
 * are access point aliases and directory buckets, which GetObject and ListObjectsV2 take in place
 * of a bucket name.
 *
 * @example checkBucketName('My_Bucket') // 'a bucket name has only lowercase letters, digits, "." and "-"'
 */
export function checkBucketName(bucket: string): string | null {
  if (bucket.length < 3 || bucket.length > 63) return `a bucket name has 3 to 63 characters, this one has ${bucket.length}`;
  if (!/^[a-z0-9.-]+$/.test(bucket)) return 'a bucket name has only lowercase letters, digits, "." and "-"';
  if (!/^[a-z0-9]/.test(bucket) || !/[a-z0-9]$/.test(bucket)) return 'a bucket name begins and ends with a letter or a digit';
  if (bucket.includes('..')) return 'a bucket name has no two adjacent "."';
  if (IP_ADDRESS.test(bucket)) return 'a bucket name is not an IP address';
  const reserved = RESERVED_PREFIXES.find((p) => bucket.startsWith(p));
  if (reserved !== undefined) return `a bucket name cannot start with "${reserved}" (reserved by S3)`;
  return null;
}

/**
 * Why `uri` is not a usable `s3://bucket[/prefix]` URI, or null when it is.
 *
 * @example checkS3Uri('s3://my-bucket/in-use/') // null
 * @example checkS3Uri('s3://')                   // 'no bucket: write s3://bucket/prefix/'
 */
export function checkS3Uri(uri: string): string | null {
  if (!uri.startsWith(SCHEME)) return 'an S3 URI starts with s3://';
  const rest = uri.slice(SCHEME.length);
  const slash = rest.indexOf('/');
  const bucket = slash < 0 ? rest : rest.slice(0, slash);
  const prefix = slash < 0 ? '' : rest.slice(slash + 1);
  if (bucket === '') return 'no bucket: write s3://bucket/prefix/';
  const problem = checkBucketName(bucket);
  if (problem) return `bucket ${JSON.stringify(bucket)}: ${problem}`;
  const bytes = new TextEncoder().encode(prefix).length;
  if (bytes > MAX_S3_KEY_BYTES) return `the key prefix is ${bytes} bytes; an S3 key is at most ${MAX_S3_KEY_BYTES}`;
  return null;
}

/**
 * Splits a valid `s3://bucket/prefix` URI.
 *
 * @example parseS3Uri('s3://b/in-use/') // { bucket: 'b', prefix: 'in-use/' }
 * @throws S3UriError when {@link checkS3Uri} finds a problem.
 */
export function parseS3Uri(uri: string): S3Location {
  const problem = checkS3Uri(uri);
  if (problem) throw new S3UriError(uri, problem);
  const rest = uri.slice(SCHEME.length);
  const slash = rest.indexOf('/');
  return slash < 0 ? { bucket: rest, prefix: '' } : { bucket: rest.slice(0, slash), prefix: rest.slice(slash + 1) };
}
