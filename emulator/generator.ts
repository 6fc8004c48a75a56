/**
 * Seeded generator of synthetic registries in the state-file format, shared by tests, the demo and
 * the benchmarks. Repositories are produced lazily, one at a time, so a million-image registry never
 * has to exist in memory at once; `toInventory` turns one generated repository into the planner's
 * RepositoryInventory with exactly the digests the emulator would serve for it.
 */
import type { ImageRecord, RepositoryInventory } from '../lib/core/inventory.js';
import type { ConsumerGeneratorOptions } from './consumers/generate.js';
import { EmulatorStateError } from './errors.js';
import { materializeImages } from './materialize.js';
import { SeededRandom, hashString } from './random.js';
import type { StateFile, StateImage, StateRepository } from './types.js';

/** Shape of a generated registry. Every field has a default. */
export interface GeneratorOptions {
  /** Default 1. The same options always produce the same registry. */
  seed?: number;
  /** Number of repositories; default 10. */
  repositories?: number;
  /**
   * Top-level entries per repository (images and referrers; an index's children come on top),
   * a number or an inclusive [min, max] range. Default [20, 60].
   */
  imagesPerRepository?: number | [number, number];
  /** Share of images without tags; default 0.3. */
  untaggedShare?: number;
  /** Share of images that are multi-arch indexes with 2-3 children; default 0.15. */
  multiArchShare?: number;
  /** Share of entries that are referrers (signatures, SBOMs, attestations) of a tagged image; default 0.1. */
  referrerShare?: number;
  /** Share of images pulled at least once; default 0.6. */
  pulledShare?: number;
  /** Push ages spread over this many days; default 400. */
  maxAgeDays?: number;
  /** Prepended to every repository name, e.g. `gen/`. Default none. */
  namePrefix?: string;
  /**
   * Relative weights of the kinds of tag a tagged image gets; missing kinds keep their default.
   * Default `{ release: 3, main: 4, pr: 3, feature: 0, releaseCandidate: 0 }`, so registries
   * generated before feature branches and release candidates existed stay the same.
   */
  tagMix?: Partial<TagMix>;
  /**
   * A synthetic account's consumers (ECS, Lambda, Batch, App Runner) referencing the registry's images
   * by tag and digest; see `emulator/consumers/generate.ts`. Made by `startEmulator` after the
   * repositories load (the references need their digests). Default none.
   */
  consumers?: ConsumerGeneratorOptions;
}

/**
 * Kinds of tag: `v1.4.2` releases, `main-<sha>` builds, `pr-<n>` builds, `feature-<name>-<n>`
 * branch builds, and `v1.4.3-rc.<n>` release candidates of the next patch release.
 */
export interface TagMix {
  release: number;
  main: number;
  pr: number;
  feature: number;
  releaseCandidate: number;
}

const DEFAULT_TAG_MIX: TagMix = { release: 3, main: 4, pr: 3, feature: 0, releaseCandidate: 0 };
const TAG_KINDS = ['release', 'main', 'pr', 'feature', 'releaseCandidate'] as const;

/** A generated repository: state-format images plus its position in the registry. */
export interface GeneratedRepository extends StateRepository {
  index: number;
  images: StateImage[];
}

const TEAMS = ['platform', 'payments', 'search', 'web', 'data', 'mobile', 'infra', 'ml', 'identity', 'billing'];
const SERVICES = [
  'api', 'worker', 'frontend', 'gateway', 'scheduler', 'indexer', 'auth', 'notifier', 'exporter', 'ingest',
  'checkout', 'catalog', 'reports', 'cron', 'proxy', 'admin', 'events', 'ledger', 'media', 'sync',
];
const REFERRER_TYPES = [
  'application/vnd.dev.cosign.artifact.sig.v1+json',
  'application/spdx+json',
  'application/vnd.in-toto+json',
];
const FEATURES = ['login', 'search', 'dark-mode', 'checkout-v2', 'onboarding', 'rate-limits', 'audit-log', 'sso', 'exports', 'cache'];
const DAY_MS = 86_400_000;

/** Options with defaults applied and checked; throws EmulatorStateError naming the bad field. */
export function resolveGeneratorOptions(options: GeneratorOptions = {}): ResolvedGeneratorOptions {
  const o: ResolvedGeneratorOptions = {
    seed: options.seed ?? 1,
    repositories: options.repositories ?? 10,
    imagesPerRepository: options.imagesPerRepository ?? [20, 60],
    untaggedShare: options.untaggedShare ?? 0.3,
    multiArchShare: options.multiArchShare ?? 0.15,
    referrerShare: options.referrerShare ?? 0.1,
    pulledShare: options.pulledShare ?? 0.6,
    maxAgeDays: options.maxAgeDays ?? 400,
    namePrefix: options.namePrefix ?? '',
    tagMix: { ...DEFAULT_TAG_MIX, ...definedOnly(options.tagMix ?? {}) },
  };
  if (!Number.isInteger(o.seed)) throw new EmulatorStateError('generate.seed', 'must be an integer');
  if (!Number.isInteger(o.repositories) || o.repositories < 0) throw new EmulatorStateError('generate.repositories', 'must be a non-negative integer');
  const range = typeof o.imagesPerRepository === 'number' ? [o.imagesPerRepository, o.imagesPerRepository] : o.imagesPerRepository;
  if (!Array.isArray(range) || range.length !== 2 || !range.every((n) => Number.isInteger(n) && n >= 0) || (range[0] as number) > (range[1] as number)) {
    throw new EmulatorStateError('generate.imagesPerRepository', 'must be a non-negative integer or a [min, max] range');
  }
  for (const share of ['untaggedShare', 'multiArchShare', 'referrerShare', 'pulledShare'] as const) {
    if (!(o[share] >= 0 && o[share] <= 1)) throw new EmulatorStateError(`generate.${share}`, `must be between 0 and 1, got ${o[share]}`);
  }
  if (!(o.maxAgeDays > 0)) throw new EmulatorStateError('generate.maxAgeDays', 'must be positive');
  for (const kind of TAG_KINDS) {
    const weight = o.tagMix[kind];
    if (!(Number.isFinite(weight) && weight >= 0)) throw new EmulatorStateError(`generate.tagMix.${kind}`, `must be a number >= 0, got ${String(weight)}`);
  }
  if (TAG_KINDS.every((kind) => o.tagMix[kind] === 0)) throw new EmulatorStateError('generate.tagMix', 'needs at least one weight above 0');
  return o;
}

/** {@link GeneratorOptions} with every default applied. */
export type ResolvedGeneratorOptions = Required<Omit<GeneratorOptions, 'tagMix' | 'consumers'>> & { tagMix: TagMix };

function definedOnly(mix: Partial<TagMix>): Partial<TagMix> {
  return Object.fromEntries(Object.entries(mix).filter(([, v]) => v !== undefined)) as Partial<TagMix>;
}

/** The name of the repository at `index`: `team/service`, unique for every index. */
export function repositoryNameAt(index: number, prefix = ''): string {
  const team = TEAMS[index % TEAMS.length] as string;
  const service = SERVICES[Math.floor(index / TEAMS.length) % SERVICES.length] as string;
  const round = Math.floor(index / (TEAMS.length * SERVICES.length));
  return `${prefix}${team}/${service}${round > 0 ? `-${round + 1}` : ''}`;
}

/** Generates the repository at `index` on its own (random access; same result as the iteration). */
export function generateRepository(options: GeneratorOptions, index: number): GeneratedRepository {
  const o = resolveGeneratorOptions(options);
  return buildRepository(o, index);
}

/** Yields the registry's repositories one at a time. */
export function* generateRepositories(options: GeneratorOptions = {}): Generator<GeneratedRepository> {
  const o = resolveGeneratorOptions(options);
  for (let i = 0; i < o.repositories; i++) yield buildRepository(o, i);
}

/** The whole generated registry as a state file (for small registries and fixtures). */
export function generateState(options: GeneratorOptions = {}): StateFile {
  return { repositories: [...generateRepositories(options)] };
}

/**
 * The planner's view of a generated repository: every manifest (children and referrers included)
 * with the digests the emulator serves for it. `now` (epoch ms) anchors the relative times.
 */
export function toInventory(repo: GeneratedRepository, now: number): RepositoryInventory {
  const images = materializeImages(repo.name, repo.images, now, `generated[${repo.index}]`).map((m) => {
    const r: ImageRecord = {
      imageDigest: m.digest,
      imagePushedAt: m.pushedAt,
      imageSizeInBytes: m.sizeInBytes,
      imageManifestMediaType: m.mediaType,
      imageStatus: m.status,
    };
    if (m.tags.length > 0) r.imageTags = m.tags;
    if (m.lastPulledAt !== undefined) r.lastRecordedPullTime = m.lastPulledAt;
    if (m.artifactMediaType !== undefined) r.artifactMediaType = m.artifactMediaType;
    if (m.subjectDigest !== undefined) r.subjectManifestDigest = m.subjectDigest;
    if (m.childDigests !== undefined) r.childDigests = m.childDigests;
    if (m.lastArchivedAt !== undefined) r.lastArchivedAt = m.lastArchivedAt;
    if (m.lastActivatedAt !== undefined) r.lastActivatedAt = m.lastActivatedAt;
    return r;
  });
  return { repositoryName: repo.name, images };
}

function buildRepository(o: ResolvedGeneratorOptions, index: number): GeneratedRepository {
  const rng = new SeededRandom(hashString(`${o.seed}:${index}`));
  const [min, max] = typeof o.imagesPerRepository === 'number' ? [o.imagesPerRepository, o.imagesPerRepository] : o.imagesPerRepository;
  const count = rng.int(min, max);
  const maxAgeMs = o.maxAgeDays * DAY_MS;
  // Oldest first, so the file order is the push order.
  const ages: number[] = [];
  for (let i = 0; i < count; i++) ages.push(Math.floor(rng.next() * maxAgeMs));
  ages.sort((a, b) => b - a);

  const images: StateImage[] = [];
  const tagged: { tag: string; age: number }[] = [];
  let major = 1 + rng.int(0, 2);
  let minor = 0;
  let patch = 0;
  let pr = rng.int(10, 400);
  let newestTagged: StateImage | undefined;
  const usedTags = new Set<string>();
  let candidate = 0;
  // Cumulative shares as k/total: with integer weights they equal the decimal literals exactly,
  // so the default mix rolls exactly as the generator always has.
  const mixTotal = TAG_KINDS.reduce((n, kind) => n + o.tagMix[kind], 0);
  const upTo = (kind: (typeof TAG_KINDS)[number]): number =>
    TAG_KINDS.slice(0, TAG_KINDS.indexOf(kind) + 1).reduce((n, k) => n + o.tagMix[k], 0) / mixTotal;
  const [releaseUpTo, mainUpTo, prUpTo, featureUpTo] = [upTo('release'), upTo('main'), upTo('pr'), upTo('feature')];

  for (const age of ages) {
    if (rng.chance(o.referrerShare) && tagged.length > 0) {
      const subject = rng.pick(tagged);
      const artifactType = rng.pick(REFERRER_TYPES);
      // Attached within an hour of the subject's push, never in the future.
      const refAge = Math.max(0, subject.age - rng.int(1, 3600) * 1000);
      const ref: StateImage = { subject: subject.tag, artifactType, pushedAt: relative(refAge) };
      if (artifactType === REFERRER_TYPES[0] && rng.chance(0.3)) ref.tags = [`sha256-${rng.hex(64)}.sig`];
      images.push(ref);
      continue;
    }
    const img: StateImage = { pushedAt: relative(age) };
    if (!rng.chance(o.untaggedShare)) {
      const roll = rng.next();
      let tag: string;
      if (roll < releaseUpTo) {
        // Releases climb over time: patch mostly, sometimes minor, rarely major.
        const bump = rng.next();
        if (bump < 0.05) {
          major++;
          minor = 0;
          patch = 0;
        } else if (bump < 0.3) {
          minor++;
          patch = 0;
        } else patch++;
        tag = `v${major}.${minor}.${patch}`;
        candidate = 0;
      } else if (roll < mainUpTo) {
        // Short shas collide now and then in big registries; a tag must stay unique.
        do tag = `main-${rng.hex(7)}`;
        while (usedTags.has(tag));
      } else if (roll < prUpTo) {
        pr += rng.int(1, 5);
        tag = `pr-${pr}`;
      } else if (roll < featureUpTo) {
        do tag = `feature-${rng.pick(FEATURES)}-${rng.int(1, 999)}`;
        while (usedTags.has(tag));
      } else {
        // A candidate of the next patch release; the numbering restarts after each release.
        candidate++;
        tag = `v${major}.${minor}.${patch + 1}-rc.${candidate}`;
      }
      usedTags.add(tag);
      img.tags = [tag];
      tagged.push({ tag, age });
      newestTagged = img;
    }
    if (rng.chance(o.multiArchShare)) {
      const n = rng.int(2, 3);
      img.children = [];
      for (let c = 0; c < n; c++) img.children.push({ sizeInBytes: logUniform(rng, 5e6, 8e8) });
    } else {
      img.sizeInBytes = logUniform(rng, 5e6, 8e8);
    }
    if (rng.chance(o.pulledShare)) img.lastPulledAt = relative(Math.floor(rng.next() * age));
    images.push(img);
  }
  newestTagged?.tags?.push('latest');
  return { index, name: repositoryNameAt(index, o.namePrefix), images };
}

function relative(ageMs: number): string {
  return `-${Math.round(ageMs / 1000)}s`;
}

function logUniform(rng: SeededRandom, lo: number, hi: number): number {
  return Math.round(Math.exp(Math.log(lo) + rng.next() * (Math.log(hi) - Math.log(lo))));
}
