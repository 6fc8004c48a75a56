/**
 * The relations between the manifests of one repository: which are image indexes (multi-arch),
 * which are children of an index, and which are referrers (signatures, SBOMs, attestations) of a
 * subject. The planner ranks only "pool" images (nothing holds them); every other manifest
 * follows the images that hold it.
 */
import { INDEX_MEDIA_TYPES, type ImageRecord, type ImageStatus } from './inventory.js';
import type { ImageRole } from './plan-model.js';

/** One manifest, its input normalised (deduplicated tags, merged duplicate records). */
export interface GraphNode {
  /** Position in {@link ImageGraph.nodes} (input order, first occurrence of each digest). */
  index: number;
  digest: string;
  /** Deduplicated and sorted. */
  tags: string[];
  pushedAt: number | undefined;
  lastPulledAt: number | undefined;
  sizeInBytes: number | undefined;
  /** Missing status means ACTIVE (older DescribeImages responses have none). */
  status: ImageStatus;
  lastArchivedAt: number | undefined;
  lastActivatedAt: number | undefined;
  /** An image index (manifest list), by media type or because children were read from it. */
  isIndex: boolean;
  /** An index whose manifest could not be read: its children are unknown. */
  unreadableIndex: boolean;
  role: ImageRole;
  /** Indexes in this repository that reference this manifest, sorted by digest. */
  parents: number[];
  /** The subject this referrer points at, or -1. */
  subject: number;
  /** Manifests that hold on to this one: children (for an index) and referrers; in no particular order. */
  dependents: number[];
}

/** The manifests of one repository and their relations. */
export interface ImageGraph {
  /** Every distinct digest, in input order (first occurrence). */
  nodes: GraphNode[];
  byDigest: Map<string, GraphNode>;
  /** Digests of indexes whose manifest could not be read, sorted. */
  unreadableIndexes: string[];
}

const INDEX_TYPES = new Set(INDEX_MEDIA_TYPES);
// Most manifests have no parents and no dependents: they share this empty list (frozen, so a
// push by mistake throws) and get their own array on the first relation.
const NONE: number[] = Object.freeze([]) as unknown as number[];
const COSIGN_TAG = /^sha256-([0-9a-f]{64})\.(?:sig|att|sbom)$/;

/**
 * Builds the graph of one repository's manifests. Nodes keep the input order (that costs nothing
 * and sorting half a million digests would cost a lot); everything order-sensitive downstream
 * breaks ties by digest, and relation lists that reasons quote are sorted by digest, so the plan
 * does not depend on the order of `images`. Duplicate records of one digest are merged
 * (see {@link mergeRecords}).
 */
export function buildImageGraph(images: readonly ImageRecord[]): ImageGraph {
  const records: ImageRecord[] = [];
  const nodes: GraphNode[] = [];
  const byDigest = new Map<string, GraphNode>();
  for (const r of images) {
    const seen = byDigest.get(r.imageDigest);
    if (seen) {
      // Duplicates are rare: only then pay for merging and rebuilding the node.
      const merged = mergeRecords(records[seen.index]!, r);
      records[seen.index] = merged;
      const node = newNode(merged, seen.index);
      nodes[seen.index] = node;
      byDigest.set(node.digest, node);
    } else {
      const node = newNode(r, nodes.length);
      records.push(r);
      nodes.push(node);
      byDigest.set(node.digest, node);
    }
  }

  const unreadableIndexes: string[] = [];
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    const node = nodes[i]!;
    if (node.unreadableIndex) unreadableIndexes.push(node.digest);
    if (r.childDigests) {
      const children = r.childDigests;
      for (let k = 0; k < children.length; k++) {
        const c = byDigest.get(children[k]!);
        // A child listed twice by one index is still one reference.
        if (c && c.parents.length > 0 && c.parents[c.parents.length - 1] === i) continue;
        if (c) {
          if (c.parents === NONE) c.parents = [i];
          else c.parents.push(i);
          if (node.dependents === NONE) node.dependents = [c.index];
          else node.dependents.push(c.index);
        }
      }
    }
    const subject = findSubject(r, node, byDigest);
    if (subject) {
      node.subject = subject.index;
      if (subject.dependents === NONE) subject.dependents = [i];
      else subject.dependents.push(i);
    }
  }

  for (const node of nodes) {
    if (node.parents.length > 1) node.parents.sort((a, b) => compareDigests(nodes[a]!.digest, nodes[b]!.digest));
    if (node.parents.length > 0) node.role = 'child';
    else if (node.subject >= 0) node.role = 'referrer';
    else if (node.isIndex) node.role = 'index';
  }
  unreadableIndexes.sort(compareDigests);
  return { nodes, byDigest, unreadableIndexes };
}

/** Total order on digests (UTF-16 code units, as `<` compares strings). */
export function compareDigests(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function newNode(r: ImageRecord, index: number): GraphNode {
  const isIndex = (r.imageManifestMediaType !== undefined && INDEX_TYPES.has(r.imageManifestMediaType)) || r.childDigests !== undefined;
  return {
    index,
    digest: r.imageDigest,
    tags: normaliseTags(r.imageTags),
    pushedAt: finite(r.imagePushedAt),
    lastPulledAt: finite(r.lastRecordedPullTime),
    sizeInBytes: nonNegative(finite(r.imageSizeInBytes)),
    status: r.imageStatus ?? 'ACTIVE',
    lastArchivedAt: finite(r.lastArchivedAt),
    lastActivatedAt: finite(r.lastActivatedAt),
    isIndex,
    unreadableIndex: isIndex && r.childDigests === undefined,
    role: 'image',
    parents: NONE,
    subject: -1,
    dependents: NONE,
  };
}

/** The subject a referrer points at: the OCI `subject` field, else a cosign `sha256-<hex>.sig|.att|.sbom` tag. */
function findSubject(r: ImageRecord, node: GraphNode, byDigest: Map<string, GraphNode>): GraphNode | undefined {
  if (r.subjectManifestDigest !== undefined) {
    const s = byDigest.get(r.subjectManifestDigest);
    if (s) return s;
  }
  for (const tag of node.tags) {
    if (!tag.startsWith('sha256-')) continue;
    const m = COSIGN_TAG.exec(tag);
    if (!m) continue;
    const s = byDigest.get(`sha256:${m[1]}`);
    if (s && s !== node) return s;
  }
  return undefined;
}

/** Tags deduplicated and sorted; `undefined`, empty and duplicate entries are normal input. */
export function normaliseTags(tags: readonly string[] | undefined): string[] {
  if (!tags || tags.length === 0) return [];
  if (tags.length === 1) return [tags[0]!];
  return [...new Set(tags)].sort();
}

// Beyond ±8.64e15 ms a Date is invalid (and toISOString throws): treat such a time as missing.
const MAX_TIME = 8.64e15;

function finite(n: number | undefined): number | undefined {
  return n !== undefined && Number.isFinite(n) && Math.abs(n) <= MAX_TIME ? n : undefined;
}

function nonNegative(n: number | undefined): number | undefined {
  return n !== undefined && n >= 0 ? n : undefined;
}

/**
 * Two records of the same digest (messy input) become one, leaning to keeping: tags and children
 * are united; times take the later value (younger, more recently pulled); a disagreement on
 * storage status becomes ACTIVATING, a status no rule selects, so the image is kept. The result
 * does not depend on which record came first.
 */
export function mergeRecords(a: ImageRecord, b: ImageRecord): ImageRecord {
  const status = a.imageStatus === b.imageStatus ? a.imageStatus : 'ACTIVATING';
  const children = a.childDigests || b.childDigests ? [...new Set([...(a.childDigests ?? []), ...(b.childDigests ?? [])])].sort() : undefined;
  const mediaType = [a.imageManifestMediaType, b.imageManifestMediaType].filter((m) => m !== undefined).sort((x, y) => Number(INDEX_TYPES.has(y)) - Number(INDEX_TYPES.has(x)) || (x < y ? -1 : x > y ? 1 : 0))[0];
  const subject = [a.subjectManifestDigest, b.subjectManifestDigest].filter((s) => s !== undefined).sort()[0];
  const merged: ImageRecord = {
    imageDigest: a.imageDigest,
    imageTags: [...(a.imageTags ?? []), ...(b.imageTags ?? [])],
    imagePushedAt: maxDefined(a.imagePushedAt, b.imagePushedAt),
    lastRecordedPullTime: maxDefined(a.lastRecordedPullTime, b.lastRecordedPullTime),
    imageSizeInBytes: maxDefined(a.imageSizeInBytes, b.imageSizeInBytes),
    lastArchivedAt: maxDefined(a.lastArchivedAt, b.lastArchivedAt),
    lastActivatedAt: maxDefined(a.lastActivatedAt, b.lastActivatedAt),
  };
  if (status !== undefined) merged.imageStatus = status;
  if (children !== undefined) merged.childDigests = children;
  if (mediaType !== undefined) merged.imageManifestMediaType = mediaType;
  if (subject !== undefined) merged.subjectManifestDigest = subject;
  return merged;
}

function maxDefined(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.max(a, b);
}
