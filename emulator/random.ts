/**
 * Small deterministic randomness: a seeded PRNG for fault dice and the generator, and a cheap
 * string-keyed pseudo-digest for synthetic blobs. Nothing here is cryptographic; it only has to be
 * stable across runs and fast enough to name a million synthetic layers.
 */

/** A seeded pseudo-random source (mulberry32). `next()` returns a float in [0, 1). */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max] (both inclusive). */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** `n` lowercase hex characters. */
  hex(n: number): string {
    let out = '';
    while (out.length < n) out += (Math.floor(this.next() * 4294967296) >>> 0).toString(16).padStart(8, '0');
    return out.slice(0, n);
  }

  /** A version-4-shaped UUID made from this source, so upload ids are reproducible. */
  uuid(): string {
    const h = this.hex(32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }
}

/** 32-bit FNV-1a hash of a string, mixed with a salt. */
export function hashString(text: string, salt = 0): number {
  let h = (0x811c9dc5 ^ salt) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  // Final avalanche (murmur3 fmix32) so nearby keys give unrelated words.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const DIGEST_WORDS = Buffer.alloc(32);

/**
 * A `sha256:<64 hex>` name derived from a key, for synthetic blobs whose bytes never exist.
 * It is NOT the sha256 of anything; real sha256 is reserved for manifests and uploaded blobs,
 * where clients can check it. About 0.5 µs per call.
 */
export function pseudoDigest(key: string): string {
  let h = hashString(key) || 1;
  for (let i = 0; i < 8; i++) {
    // xorshift steps from the key hash give eight independent-looking words.
    h ^= h << 13;
    h ^= h >>> 17;
    h ^= h << 5;
    h >>>= 0;
    DIGEST_WORDS.writeUInt32BE(h, i * 4);
  }
  return `sha256:${DIGEST_WORDS.toString('hex')}`;
}

const HEX_BYTE = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/**
 * A sibling of a pseudo digest: the same name with its first byte replaced by `variant` (0-255),
 * so one image's config and layers get distinct names from one hash.
 */
export function digestVariant(base: string, variant: number): string {
  return `sha256:${HEX_BYTE[variant & 255] as string}${base.slice(9)}`;
}
