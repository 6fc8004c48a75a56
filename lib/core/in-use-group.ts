/**
 * The usages a scan found, sorted by repository once per scan, so each repository's are resolved
 * against its own inventory as it is planned (`resolveInUse`), and the run's counts add up from
 * the parts. References to another registry and malformed ones are counted here, once.
 */
import { isThisRegistry, parseImageReference } from './image-reference.js';
import type { InUseCounts, InUseUsage } from './in-use.js';

/** A scan's usages, by repository of this registry. */
export interface UsagesByRepository {
  /** Repository name -> the usages naming it (input order). */
  byRepository: Map<string, InUseUsage[]>;
  /** Usages naming another registry (Docker Hub, another host, account or Region). */
  otherRegistry: number;
  /** Usages whose reference could not be parsed, with why. */
  malformed: { usage: InUseUsage; problem: string }[];
}

/**
 * Groups `usages` by the repository of this registry (`accountId` in `region`) they name.
 *
 * @example
 * groupUsagesByRepository({ accountId: '123456789012', region: 'eu-west-1' }, usages).byRepository.get('payments')
 */
export function groupUsagesByRepository(registry: { accountId: string; region: string }, usages: readonly InUseUsage[]): UsagesByRepository {
  const byRepository = new Map<string, InUseUsage[]>();
  const malformed: UsagesByRepository['malformed'] = [];
  let otherRegistry = 0;
  for (const usage of usages) {
    const parsed = parseImageReference(usage.reference);
    if (!parsed.ok) {
      malformed.push({ usage, problem: parsed.problem });
      continue;
    }
    if (!isThisRegistry(parsed.reference, registry.accountId, registry.region)) {
      otherRegistry++;
      continue;
    }
    const name = parsed.reference.repositoryName;
    const list = byRepository.get(name);
    if (list) list.push(usage);
    else byRepository.set(name, [usage]);
  }
  return { byRepository, otherRegistry, malformed };
}

/**
 * The run's counts: other registries and malformed references from the grouping; unknown
 * repositories are the usages of repositories absent from the registry listing (`listed`); the
 * rest add up from the per-repository resolutions (`resolved`, unknown tag, unknown digest).
 * Usages of repositories that were listed but not planned (unmanaged, protected, filtered out, not
 * reached) are in no count: nothing in them was going to be deleted.
 */
export function inUseCountsOf(grouped: UsagesByRepository, listed: ReadonlySet<string>, perRepository: Iterable<InUseCounts>): InUseCounts {
  const counts: InUseCounts = { resolved: 0, otherRegistry: grouped.otherRegistry, unknownRepository: 0, unknownTag: 0, unknownDigest: 0, malformed: grouped.malformed.length };
  for (const [name, usages] of grouped.byRepository) if (!listed.has(name)) counts.unknownRepository += usages.length;
  for (const part of perRepository) {
    counts.resolved += part.resolved;
    counts.unknownTag += part.unknownTag;
    counts.unknownDigest += part.unknownDigest;
  }
  return counts;
}
