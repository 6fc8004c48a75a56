/**
 * In-use protection, the pure part: which images of this registry consumers (ECS services, Lambda
 * functions, Batch job definitions, App Runner services, a file of references) run or can roll
 * back to. The sources that list the usages are not here; this resolves what they found against
 * the inventory read at plan time. A tag reference protects the digest the tag names now; a
 * digest reference protects that digest. References to any other registry (Docker Hub, another
 * account or Region) are counted, never matched by repository name alone.
 */
import type { RepositoryInventory } from './inventory.js';
import { isThisRegistry, parseImageReference } from './image-reference.js';

/** Where a usage was found. */
export type InUseSource = 'ecs' | 'lambda' | 'batch' | 'apprunner' | 'file';

/** One consumer's reference to an image. */
export interface InUseUsage {
  /** Who uses it, for a person: `ECS service prod/payments-api (task definition payments-api:42)`. */
  consumer: string;
  source: InUseSource;
  /** The image reference as the consumer wrote it. */
  reference: string;
}

/** Per repository: the digests in use and who uses each (sorted by consumer, then reference). */
export type InUseByRepository = Map<string, Map<string, InUseUsage[]>>;

/** What the resolver could not match, for the report; each counts usages. */
export interface InUseCounts {
  /** Usages resolved to an image of this registry. */
  resolved: number;
  /** References to another registry: no host (Docker Hub), another host, another account or Region. */
  otherRegistry: number;
  /** References to a repository of this registry that the inventory does not hold. */
  unknownRepository: number;
  /** Tag references whose tag names no image of the repository now. */
  unknownTag: number;
  /** Digest references to a digest the repository does not hold. */
  unknownDigest: number;
  /** References that could not be parsed. */
  malformed: number;
}

export interface InUseResolution {
  byRepository: InUseByRepository;
  counts: InUseCounts;
  /** The references that could not be parsed, with why, in input order. */
  malformed: { usage: InUseUsage; problem: string }[];
}

/**
 * Resolves usages against this registry (`accountId` in `region`) and the inventories read at
 * plan time. Tags are resolved with the tags DescribeImages reported; a tag that two records of
 * one digest share (messy input) names that digest; a tag claimed by several digests protects all.
 *
 * @example
 * resolveInUse({ accountId: '123456789012', region: 'eu-west-1' }, usages, inventories).byRepository.get('payments')
 */
export function resolveInUse(
  registry: { accountId: string; region: string },
  usages: readonly InUseUsage[],
  inventories: Iterable<RepositoryInventory>,
): InUseResolution {
  const repositories = new Map<string, { digests: Set<string>; tags: Map<string, string[]> }>();
  for (const inventory of inventories) {
    const entry = repositories.get(inventory.repositoryName) ?? { digests: new Set<string>(), tags: new Map<string, string[]>() };
    repositories.set(inventory.repositoryName, entry);
    for (const image of inventory.images) {
      entry.digests.add(image.imageDigest);
      for (const tag of image.imageTags ?? []) {
        const digests = entry.tags.get(tag);
        if (!digests) entry.tags.set(tag, [image.imageDigest]);
        else if (!digests.includes(image.imageDigest)) digests.push(image.imageDigest);
      }
    }
  }
  const counts: InUseCounts = { resolved: 0, otherRegistry: 0, unknownRepository: 0, unknownTag: 0, unknownDigest: 0, malformed: 0 };
  const malformed: InUseResolution['malformed'] = [];
  const byRepository: InUseByRepository = new Map();
  for (const usage of usages) {
    const parsed = parseImageReference(usage.reference);
    if (!parsed.ok) {
      counts.malformed++;
      malformed.push({ usage, problem: parsed.problem });
      continue;
    }
    const ref = parsed.reference;
    if (!isThisRegistry(ref, registry.accountId, registry.region)) {
      counts.otherRegistry++;
      continue;
    }
    const repository = repositories.get(ref.repositoryName);
    if (!repository) {
      counts.unknownRepository++;
      continue;
    }
    let digests: readonly string[];
    if (ref.digest !== undefined) {
      // The digest wins over a tag given with it: it is what the consumer runs.
      if (!repository.digests.has(ref.digest)) {
        counts.unknownDigest++;
        continue;
      }
      digests = [ref.digest];
    } else {
      const named = repository.tags.get(ref.tag ?? 'latest');
      if (!named) {
        counts.unknownTag++;
        continue;
      }
      digests = named;
    }
    counts.resolved++;
    let inRepository = byRepository.get(ref.repositoryName);
    if (!inRepository) byRepository.set(ref.repositoryName, (inRepository = new Map()));
    for (const digest of digests) {
      const list = inRepository.get(digest);
      if (!list) inRepository.set(digest, [usage]);
      else if (!list.some((u) => u.consumer === usage.consumer && u.reference === usage.reference && u.source === usage.source)) list.push(usage);
    }
  }
  for (const inRepository of byRepository.values()) for (const list of inRepository.values()) list.sort(compareUsages);
  return { byRepository, counts, malformed };
}

function compareUsages(a: InUseUsage, b: InUseUsage): number {
  return cmp(a.consumer, b.consumer) || cmp(a.reference, b.reference) || cmp(a.source, b.source);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** "in use by ECS service prod/api (task definition api:42)", with "and N more" for several consumers. */
export function describeUsages(usages: readonly InUseUsage[]): string {
  const first = usages[0];
  if (!first) return 'in use';
  // One consumer may name the image twice (by tag and by digest): "more" counts other consumers.
  const others = new Set(usages.map((u) => u.consumer)).size - 1;
  return `in use by ${first.consumer}${others > 0 ? ` and ${others} more` : ''}`;
}
