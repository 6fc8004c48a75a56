/**
 * Packed digest lists (lib/adapters/packed-digests.ts): whatever goes in comes out exactly, sha256
 * digests packed to 32 characters each, anything else kept as it is.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { packDigests, unpackDigests } from '../../lib/adapters/packed-digests.js';

const hex64 = fc.stringMatching(/^[0-9a-f]{64}$/);
const sha256 = hex64.map((h) => `sha256:${h}`);

describe('packDigests', () => {
  it('gives back exactly the list it was given, any list', () => {
    const other = fc.oneof(fc.string(), hex64.map((h) => `sha256:${h.toUpperCase()}`), hex64.map((h) => `sha512:${h}${h}`), hex64.map((h) => `sha256:${h}0`));
    fc.assert(
      fc.property(fc.array(fc.oneof(sha256, other), { maxLength: 8 }), (digests) => {
        expect(unpackDigests(packDigests(digests))).toEqual(digests);
      }),
    );
  });

  it('packs a list of lowercase sha256 digests into one string of 32 characters each', () => {
    fc.assert(
      fc.property(fc.array(sha256, { maxLength: 8 }), (digests) => {
        const packed = packDigests(digests);
        expect(typeof packed).toBe('string');
        expect((packed as string).length).toBe(32 * digests.length);
      }),
    );
  });

  it.each([
    ['an uppercase digest', [`sha256:${'AB'.repeat(32)}`]],
    ['another algorithm', [`sha512:${'ab'.repeat(64)}`]],
    ['a short digest', ['sha256:abc']],
    ['one odd digest among sha256 ones', [`sha256:${'0'.repeat(64)}`, 'not-a-digest']],
  ])('keeps %s as a copy of the list', (_what, digests) => {
    const kept = packDigests(digests);
    expect(kept).toEqual(digests);
    expect(kept).not.toBe(digests);
  });

  it('unpacks to a new array each time', () => {
    const packed = packDigests([`sha256:${'12'.repeat(32)}`]);
    expect(unpackDigests(packed)).not.toBe(unpackDigests(packed));
  });
});
