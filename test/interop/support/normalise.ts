/**
 * Turns one CLI response into flat, implementation-neutral fields so two ECR implementations can be
 * compared value by value. What legitimately differs between implementations (account ids, upload ids,
 * timestamps, tokens, free-text messages, array order) is replaced by a placeholder that still keeps what
 * the reference constrains: a timestamp must be epoch seconds, an upload id must be a UUID, a digest
 * must be the sha256 of bytes we sent.
 */

/** Marks a field one implementation returned and the other did not. */
export const ABSENT = '(absent)';

/** Flat field path → normalised value, in the order the fields were produced. */
export type Fields = Record<string, string>;

const SHA256 = /^sha256:[0-9a-f]{64}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ACCOUNT_ID = /(?<![0-9])[0-9]{12}(?![0-9])/g;
const TIMESTAMP_KEY = /(At|Time)$/;
const FREE_TEXT_KEYS = new Set(['failureReason', 'message']);
const TOKEN_KEYS = new Set(['nextToken', 'NextToken']);

/**
 * Names the digests and manifests a scenario created, so outputs show `manifest:A` instead of a hash.
 * A digest nobody registered is numbered in order of first sight (`sha256:<unregistered #1>`): that is
 * how an implementation that hashes something other than the exact bytes becomes visible.
 */
export class DigestBook {
  private readonly labels = new Map<string, string>();
  private readonly manifests = new Map<string, string>();
  private unregistered = 0;

  /** Registers a blob or manifest digest under a readable label. */
  addDigest(digest: string, label: string): void {
    this.labels.set(digest, label);
  }

  /** The digest last registered under `label` (a server's own digest wins over the computed one). */
  digestFor(label: string): string | undefined {
    let found: string | undefined;
    for (const [digest, l] of this.labels) if (l === label) found = digest;
    return found;
  }

  /** Registers a manifest's exact text so a returned `imageManifest` can be recognised byte for byte. */
  addManifest(text: string, digest: string, label: string): void {
    this.addDigest(digest, label);
    this.manifests.set(text, label);
  }

  /** The label of a digest, numbering unknown ones on first sight. */
  labelDigest(digest: string): string {
    let label = this.labels.get(digest);
    if (label === undefined) {
      this.unregistered += 1;
      label = `sha256:<unregistered #${this.unregistered}>`;
      this.labels.set(digest, label);
    }
    return label;
  }

  /** The label of a returned manifest text: exact bytes, same JSON re-serialised, or unknown. */
  labelManifest(text: string): string {
    const exact = this.manifests.get(text);
    if (exact !== undefined) return `${exact} (exact bytes)`;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return '<manifest: not JSON>';
    }
    for (const [known, label] of this.manifests) {
      if (canonicalJson(JSON.parse(known)) === canonicalJson(parsed)) return `${label} (re-serialised)`;
    }
    return '<manifest: unknown>';
  }
}

/** A normalised JSON tree: every leaf is a placeholder or a string rendering of the value. */
type NormTree = string | NormTree[] | { [key: string]: NormTree };

/**
 * Normalises a parsed CLI response and flattens it to `a.b[0].c` paths. Arrays are sorted by their
 * normalised content because the ECR reference never promises an order ("The order of each element
 * in a data type structure is not guaranteed").
 */
export function flattenResponse(json: unknown, book: DigestBook, prefix = ''): Fields {
  const fields: Fields = {};
  flattenInto(normalise(json, '', book), prefix, fields);
  return fields;
}

function normalise(value: unknown, key: string, book: DigestBook): NormTree {
  if (value === null) return 'null';
  if (Array.isArray(value)) {
    return value
      .map((item) => normalise(item, key, book))
      .sort((a, b) => canonicalJson(a).localeCompare(canonicalJson(b)));
  }
  if (typeof value === 'object') {
    const out: { [key: string]: NormTree } = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = normalise(v, k, book);
    return out;
  }
  if (typeof value === 'number') {
    if (TIMESTAMP_KEY.test(key)) {
      // The wire format is epoch seconds (fractions allowed); milliseconds or ISO text would be a bug.
      return value >= 1e9 && value < 1e10 ? '<epoch-seconds>' : `<not epoch seconds: ${value}>`;
    }
    return String(value);
  }
  if (typeof value === 'string') return normaliseString(value, key, book);
  return String(value);
}

function normaliseString(value: string, key: string, book: DigestBook): string {
  if (TIMESTAMP_KEY.test(key)) return `<timestamp as string: ${value}>`;
  if (FREE_TEXT_KEYS.has(key)) return value.trim() === '' ? '<empty text>' : '<text>';
  if (TOKEN_KEYS.has(key)) return value === '' ? '<empty token>' : '<token>';
  if (key === 'authorizationToken') return describeAuthorizationToken(value);
  if (key === 'downloadUrl') return /^https?:\/\/\S+$/.test(value) ? '<url>' : `<not a URL: ${value}>`;
  if (key === 'imageManifest') return book.labelManifest(value);
  if (SHA256.test(value)) return book.labelDigest(value);
  if (UUID.test(value)) return '<uuid>';
  return value.replace(ACCOUNT_ID, '<account>');
}

function flattenInto(tree: NormTree, path: string, out: Fields): void {
  if (typeof tree === 'string') {
    out[path] = tree;
    return;
  }
  if (Array.isArray(tree)) {
    if (tree.length === 0) {
      out[path] = '[]';
      return;
    }
    if (tree.every((item) => typeof item === 'string')) {
      out[path] = `[${tree.join(', ')}]`;
      return;
    }
    // Images and layers are indexed by what they are (digest label, tag), not by position, so one extra
    // or missing item on one side shows up as that item instead of shifting every row after it.
    const used = new Map<string, number>();
    tree.forEach((item, i) => {
      let key = identityOf(item) ?? String(i);
      const seen = used.get(key) ?? 0;
      used.set(key, seen + 1);
      if (seen > 0) key = `${key} #${seen + 1}`;
      flattenInto(item, `${path}[${key}]`, out);
    });
    return;
  }
  const entries = Object.entries(tree);
  if (entries.length === 0) {
    out[path] = '{}';
    return;
  }
  for (const [k, v] of entries) flattenInto(v, path === '' ? k : `${path}.${k}`, out);
}

/** JSON with object keys sorted, so equal content compares equal whatever the key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value as Record<string, unknown>).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** `manifest:A v1`, `tag v1`, `blob:config`: a readable identity of an image id, image or layer entry. */
function identityOf(item: NormTree): string | undefined {
  if (typeof item === 'string' || Array.isArray(item)) return undefined;
  const id = item.imageId;
  const holder = id !== undefined && typeof id === 'object' && !Array.isArray(id) ? id : item;
  const digest = holder.imageDigest ?? item.layerDigest ?? item.digest;
  const tag = holder.imageTag;
  const parts = [typeof digest === 'string' ? digest : undefined, typeof tag === 'string' ? `${digest === undefined ? 'tag ' : ''}${tag}` : undefined];
  const key = parts.filter((p) => p !== undefined).join(' ');
  return key === '' ? undefined : key;
}

/** Docker login tokens are base64 of `AWS:<password>`; the password differs, the shape must not. */
function describeAuthorizationToken(value: string): string {
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  return decoded.startsWith('AWS:') && decoded.length > 4 ? '<base64 of AWS:password>' : '<token not base64 of AWS:password>';
}
