/**
 * In-use protection in a sweep: the scan before planning, what each repository's plan keeps, the
 * fail-closed decision, and the check before every deletion or archive batch, which scans again
 * when the last scan is older than `rescanAfterMs` (one scan at a time; every batch waiting for it
 * uses its answer). See docs/engine.md (In-use protection).
 */
import { groupUsagesByRepository, inUseCountsOf, type UsagesByRepository } from '../core/in-use-group.js';
import { inUseKeptImages, inUseTies } from '../core/in-use-ties.js';
import { describeUsages, resolveInUse, type InUseCounts, type InUseUsage } from '../core/in-use.js';
import type { ImageRecord } from '../core/inventory.js';
import type { InUseReport, PlannedImage, RepositoryPlan } from '../core/plan-model.js';
import { shortDigest } from '../core/plan-reasons.js';
import type { InUseSettings } from '../core/rules-model.js';
import { describeSourceFailure, scanInUseSources, type InUseScanOutcome } from './in-use-scan.js';
import type { InUseScanCache, InUseSourceReader, SweepLogger } from './types.js';

/** The registry usages are matched against: its account and Region. */
export interface InUseRegistry {
  accountId: string;
  region: string;
}

/** What the check before a batch says. */
export interface BatchCheck {
  /** Set when deletion must stop in this registry (a source failed on the rescan): why. */
  stop?: string;
  /** Digests of the batch that must not be deleted or archived, with the reason for each. */
  held: Map<string, string>;
}

/** A repository's usages resolved against one scan, cached until the next scan. */
interface RepositoryCheck {
  scan: InUseScanOutcome;
  ties: Map<string, string>;
  byDigest: ReadonlyMap<string, InUseUsage[]>;
}

/**
 * Scans, resolves and checks in-use usages for one sweep. Never throws: a source that cannot be
 * read, or a registry whose account and Region cannot be learned, is a failure the sweep fails
 * closed on.
 */
export class InUseGuard {
  private current: Promise<InUseScanOutcome> | undefined;
  /** The scan the plan was made with: the report's counts are about it. */
  private planning: InUseScanOutcome | undefined;
  private latest: InUseScanOutcome | undefined;
  private rescanning: Promise<InUseScanOutcome> | undefined;
  private rescanCount = 0;
  private registry: InUseRegistry | undefined;
  private registryProblem: string | undefined;
  /** Per scan: its usages grouped by repository (the registry is known by then). */
  private grouped = new WeakMap<InUseScanOutcome, UsagesByRepository>();
  private planCounts: InUseCounts[] = [];
  private checks = new Map<string, RepositoryCheck>();

  constructor(
    private readonly readers: readonly InUseSourceReader[],
    private readonly settings: InUseSettings,
    private readonly clock: () => number,
    private readonly options: { logger?: SweepLogger; signal?: AbortSignal; cache?: InUseScanCache } = {},
  ) {}

  /** Starts the first scan (idempotent); planning awaits it through {@link ready}. */
  start(): void {
    this.current ??= this.scan().then((outcome) => (this.planning = outcome));
  }

  /**
   * Learns the registry usages are matched against. `identify` failing is a failure like a
   * source's: without the account and Region no reference can be matched, so nothing is deleted.
   */
  async identify(identify: () => Promise<InUseRegistry>): Promise<void> {
    if (this.registry || this.registryProblem !== undefined) return;
    try {
      this.registry = await identify();
    } catch (error) {
      this.registryProblem = `the registry's account and Region could not be learned (${error instanceof Error ? error.message : String(error)}), so no in-use reference can be matched`;
    }
  }

  /** The first scan, once done. */
  async ready(): Promise<InUseScanOutcome> {
    this.start();
    return this.current!;
  }

  /**
   * The in-use images of a repository about to be planned (for `planRepository`'s `inUse`), from
   * the first scan; the counts are kept for the report.
   */
  async forPlanning(repositoryName: string, images: readonly ImageRecord[]): Promise<Map<string, InUseUsage[]> | undefined> {
    const scan = await this.ready();
    const grouped = this.groupedOf(scan);
    if (!grouped || !this.registry) return undefined;
    const resolution = resolveInUse(this.registry, grouped.byRepository.get(repositoryName) ?? [], [{ repositoryName, images }]);
    this.planCounts.push(resolution.counts);
    return resolution.byRepository.get(repositoryName);
  }

  /**
   * Why nothing may be deleted in this registry after the latest scan, or undefined when every
   * enabled source was read: `in-use source ECS (all clusters) could not be read (...)`.
   */
  failure(): string | undefined {
    if (this.registryProblem !== undefined) return this.registryProblem;
    const failed = (this.latest?.sources ?? []).filter((s) => s.status === 'failed');
    if (failed.length === 0) return undefined;
    return failed.map(describeSourceFailure).join('; ');
  }

  /** Scans again when the latest scan is older than `rescanAfterMs`; one rescan at a time. */
  async refreshIfStale(): Promise<void> {
    const latest = await this.ready();
    if (this.rescanning) {
      await this.rescanning;
      return;
    }
    if (this.clock() - (this.latest ?? latest).startedAt <= this.settings.rescanAfterMs) return;
    this.rescanCount += 1;
    this.rescanning = this.scan();
    try {
      await this.rescanning;
    } finally {
      this.rescanning = undefined;
    }
  }

  /**
   * The check before a deletion or archive batch of `plan`: rescans when stale, then holds every
   * image of `batch` that is in use now, or tied to an in-use image through the plan's relations
   * (an index of an in-use child, a child or referrer of an in-use index, the subject of an in-use
   * referrer). When a source failed, `stop` says why and nothing more may be deleted.
   */
  async check(plan: RepositoryPlan, batch: readonly PlannedImage[]): Promise<BatchCheck> {
    await this.refreshIfStale();
    const failure = this.failure();
    if (failure !== undefined) return { stop: `${failure}: nothing more is deleted in this registry`, held: new Map() };
    const check = this.repositoryCheck(plan);
    const held = new Map<string, string>();
    if (!check) return { held };
    for (const image of batch) {
      const origin = check.ties.get(image.imageDigest);
      if (origin === undefined) continue;
      const users = describeUsages(check.byDigest.get(origin) ?? []).replace(/^in use by /, '');
      const tie = origin === image.imageDigest ? '' : ` (tied to in-use ${shortDigest(origin)})`;
      held.set(image.imageDigest, `in use since the plan: ${users}${tie}`);
    }
    return { held };
  }

  /** How many times the set was scanned again before or during deletion. */
  get rescans(): number {
    return this.rescanCount;
  }

  /**
   * The references of the planning scan that could not be parsed (they protect nothing), for a
   * plan warning.
   */
  malformed(): { usage: InUseUsage; problem: string }[] {
    const grouped = this.planning ? this.groupedOf(this.planning) : undefined;
    return grouped ? [...grouped.malformed] : [];
  }

  /**
   * The report for the plan or the result; `listed` = every repository name of the registry
   * listing. The counts are the planning scan's; the sources, `scannedAt` and `rescans` the latest.
   */
  report(repositories: readonly RepositoryPlan[], listed: ReadonlySet<string>): InUseReport {
    const latest = this.latest;
    const first = this.planning ? this.groupedOf(this.planning) : undefined;
    const counts = first
      ? inUseCountsOf(first, listed, this.planCounts)
      : { resolved: 0, otherRegistry: 0, unknownRepository: 0, unknownTag: 0, unknownDigest: 0, malformed: 0 };
    return {
      scannedAt: new Date(latest?.startedAt ?? this.clock()).toISOString(),
      rescans: this.rescanCount,
      sources: latest?.sources.map((s) => ({ ...s, calls: { ...s.calls } })) ?? [],
      counts,
      imagesKept: inUseKeptImages(repositories),
    };
  }

  /**
   * One scan, or through the run's cache one that another target started recently enough: its own
   * `startedAt` is what {@link refreshIfStale} judges, so a shared scan never widens the window.
   */
  private async scan(): Promise<InUseScanOutcome> {
    const fresh = async (): Promise<InUseScanOutcome> => {
      const outcome = await scanInUseSources(this.readers, this.settings, {
        now: this.clock(),
        ...(this.options.signal ? { signal: this.options.signal } : {}),
      });
      for (const source of outcome.sources) {
        if (source.status === 'failed') this.options.logger?.error('in-use source could not be read', { source: source.source, label: source.label, error: source.error });
      }
      return outcome;
    };
    const cache = this.options.cache;
    const outcome = cache ? await cache.scan({ now: this.clock(), maxAgeMs: this.settings.rescanAfterMs }, fresh) : await fresh();
    this.latest = outcome;
    return outcome;
  }

  private groupedOf(scan: InUseScanOutcome): UsagesByRepository | undefined {
    if (!this.registry) return undefined;
    let grouped = this.grouped.get(scan);
    if (!grouped) this.grouped.set(scan, (grouped = groupUsagesByRepository(this.registry, scan.usages)));
    return grouped;
  }

  /** The latest scan's usages of `plan`'s repository resolved against the plan (tags as the plan saw them). */
  private repositoryCheck(plan: RepositoryPlan): RepositoryCheck | undefined {
    const scan = this.latest;
    if (!scan) return undefined;
    const cached = this.checks.get(plan.repositoryName);
    if (cached && cached.scan === scan) return cached;
    const grouped = this.groupedOf(scan);
    if (!grouped) return undefined;
    const name = plan.repositoryName;
    const images: ImageRecord[] = plan.images.map((i) => ({ imageDigest: i.imageDigest, imageTags: i.imageTags }));
    const byDigest = resolveInUse(this.registry!, grouped.byRepository.get(name) ?? [], [{ repositoryName: name, images }]).byRepository.get(name) ?? new Map<string, InUseUsage[]>();
    const check: RepositoryCheck = { scan, ties: inUseTies(plan.images, byDigest.keys()), byDigest };
    this.checks.set(name, check);
    return check;
  }
}
