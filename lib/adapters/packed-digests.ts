/**
 * Digest lists kept compactly in memory. A sweep remembers every index manifest it reads (for the
 * index store and so each is read once), and a million-image registry has about 100,000 indexes
 * with three or four children each: as strings (`sha256:` and 64 hex digits, 88 bytes each in V8,
 * plus the array) the children alone took ~35 MiB. Packed, each sha256 digest is its 32 bytes, one
 * character each, in one string per list: about a third of the memory.
 */

const SHA256 = /^sha256:[0-9a-f]{64}$/;
/** Characters per packed digest. */
const PACKED_LENGTH = 32;

/**
 * A digest list as one string when every digest is a lowercase sha256 digest (the only kind ECR
 * makes), else the list itself, copied: whatever cannot be packed exactly is kept as it is.
 *
 * @example
 * ```ts
 * unpackDigests(packDigests([`sha256:${'ab'.repeat(32)}`])); // [`sha256:${'ab'.repeat(32)}`]
 * ```
 */
export function packDigests(digests: readonly string[]): string | readonly string[] {
  if (!digests.every((digest) => SHA256.test(digest))) return [...digests];
  return digests.map((digest) => Buffer.from(digest.slice(7), 'hex').toString('latin1')).join('');
}

/** The digests {@link packDigests} kept, as a new array of strings. */
export function unpackDigests(packed: string | readonly string[]): string[] {
  if (typeof packed !== 'string') return [...packed];
  const digests: string[] = [];
  for (let at = 0; at < packed.length; at += PACKED_LENGTH) {
    digests.push(`sha256:${Buffer.from(packed.slice(at, at + PACKED_LENGTH), 'latin1').toString('hex')}`);
  }
  return digests;
}
