/**
 * Which images of a planned repository in-use protection holds, read from the plan alone: the
 * images in use, the indexes that list one (a consumer may pull through the index), and what a
 * held manifest needs (its children, its referrers, and the subject of a held referrer). The
 * planner keeps exactly these (docs/planner.md, In-use protection); the engine uses the same
 * closure to check a plan against usages found after it was made (a rescan, a resumed run), and
 * the reports count them with {@link inUseKeptImages}.
 */
import { compareDigests } from './image-graph.js';

/** The relations of a planned image, as the plan records them. */
export interface TiedImage {
  imageDigest: string;
  /** For a child: the indexes that list it. */
  parentDigests?: readonly string[];
  /** For a referrer: its subject. */
  subjectDigest?: string;
}

/**
 * The images that `inUse` (digests) holds in `images`, each mapped to the in-use digest it is
 * tied to (itself when in use). In-use digests the repository does not hold are ignored. When an
 * image is tied to several, the one named is the smallest digest reached first (breadth-first),
 * so the answer does not depend on input order.
 *
 * @example
 * inUseTies(plan.images, ['sha256:aa…']).get(childDigest) // 'sha256:aa…' when the in-use index lists the child
 */
export function inUseTies(images: readonly TiedImage[], inUse: Iterable<string>): Map<string, string> {
  const present = new Set<string>();
  const parentsOf = new Map<string, readonly string[]>();
  const subjectOf = new Map<string, string>();
  const childrenOf = new Map<string, string[]>();
  const referrersOf = new Map<string, string[]>();
  for (const image of images) present.add(image.imageDigest);
  const link = (map: Map<string, string[]>, from: string, to: string): void => {
    const list = map.get(from);
    if (list) list.push(to);
    else map.set(from, [to]);
  };
  for (const image of images) {
    const parents = (image.parentDigests ?? []).filter((p) => present.has(p) && p !== image.imageDigest);
    if (parents.length > 0) parentsOf.set(image.imageDigest, parents);
    for (const parent of parents) link(childrenOf, parent, image.imageDigest);
    const subject = image.subjectDigest;
    if (subject !== undefined && present.has(subject) && subject !== image.imageDigest) {
      subjectOf.set(image.imageDigest, subject);
      link(referrersOf, subject, image.imageDigest);
    }
  }

  const tied = new Map<string, string>();
  const queue: string[] = [];
  const add = (digest: string, origin: string): void => {
    if (tied.has(digest)) return;
    tied.set(digest, origin);
    queue.push(digest);
  };
  for (const digest of [...new Set(inUse)].sort(compareDigests)) if (present.has(digest)) add(digest, digest);
  // Up first, from in-use images only: a kept child does not keep its index, an in-use one does.
  for (let q = 0; q < queue.length; q++) {
    const digest = queue[q]!;
    for (const parent of parentsOf.get(digest) ?? []) add(parent, tied.get(digest)!);
  }
  // Then what every held manifest holds, and the subject of a held referrer (shared fate).
  for (let q = 0; q < queue.length; q++) {
    const digest = queue[q]!;
    const origin = tied.get(digest)!;
    for (const child of childrenOf.get(digest) ?? []) add(child, origin);
    for (const referrer of referrersOf.get(digest) ?? []) add(referrer, origin);
    const subject = subjectOf.get(digest);
    if (subject !== undefined) add(subject, origin);
  }
  return tied;
}

/** A planned or result image, as far as {@link inUseKeptImages} looks at it. */
export interface KeptImage extends TiedImage {
  decision: string;
  usages?: readonly unknown[];
}

/**
 * Images kept by in-use protection in a plan or a result: in use (they carry `usages`) or tied to
 * one ({@link inUseTies}), and kept. The one definition of the figure every report shows.
 *
 * @example
 * inUseKeptImages(plan.repositories) // 7
 */
export function inUseKeptImages(repositories: readonly { images: readonly KeptImage[] }[]): number {
  let kept = 0;
  for (const repository of repositories) {
    const used: string[] = [];
    for (const image of repository.images) if (image.usages !== undefined && image.usages.length > 0) used.push(image.imageDigest);
    if (used.length === 0) continue;
    const tied = inUseTies(repository.images, used);
    for (const image of repository.images) if (image.decision === 'keep' && tied.has(image.imageDigest)) kept++;
  }
  return kept;
}
