/**
 * Planner benchmark: plans a generated registry of ~1,000,000 manifests in 2,000 repositories
 * (30% of images multi-arch, 10% referrers), generated one repository at a time, and prints
 * images per second, the CPU time spent planning (generation excluded) and peak memory.
 *
 *   npm run bench:planner                     # emulator/generator.ts (seeded), engine-style: plans not kept
 *   npm run bench:planner -- --retain         # also keep every RepositoryPlan (a full Plan document)
 *   npm run bench:planner -- --generator=builtin    # the small generator below (no emulator needed)
 *   npm run bench:planner -- --repositories 200      # smaller run (--name=value works too); no target verdict
 *   npm run bench:planner -- --help
 *
 * Runs under `node --expose-gc --import tsx` so the baseline is measured after a collection.
 * (Forcing a collection before each timed batch was tried: it made planning slower, not faster.)
 */
import { SeededRandom } from '../emulator/random.js';
import type { ImageRecord, RepositoryInventory } from '../lib/core/inventory.js';
import type { RepositoryPlan } from '../lib/core/plan-model.js';
import { planRepository, summarizePlan } from '../lib/core/planner.js';
import type { Rule, RuleSet } from '../lib/core/rules-model.js';
import { BenchUsageError, parseBenchArgs, runBench, wholeNumber } from './support/bench-args.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 27);
const INDEX = 'application/vnd.oci.image.index.v1+json';
const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

interface Args {
  repositories: number;
  imagesPerRepository: number;
  retain: boolean;
  generator: 'builtin' | 'emulator';
  /** Repositories generated before each timed planning run; 1 = the engine's one-at-a-time. */
  batch: number;
}

/** The full-size run the target is stated for: 2,000 repositories of ~500 manifests, ~1,000,000 in all. */
const FULL_SIZE = { repositories: 2000, imagesPerRepository: 500 };

const USAGE = `usage: npm run bench:planner -- [options]   (each option as --name=value or --name value)
  --repositories N               repositories to plan (default ${FULL_SIZE.repositories})
  --images-per-repository N      manifests per repository (default ${FULL_SIZE.imagesPerRepository})
  --generator emulator|builtin   registry generator (default emulator)
  --batch N                      repositories generated before each timed planning run (default 1)
  --retain                       keep every RepositoryPlan (a full Plan document)
  -h, --help                     print this`;

/** Reads the command line (`node:util` parseArgs, as the emulator does); 'help' for --help. */
function parsePlannerArgs(argv: string[]): Args | 'help' {
  const values = parseBenchArgs(argv, {
    repositories: { type: 'string' },
    'images-per-repository': { type: 'string' },
    generator: { type: 'string' },
    batch: { type: 'string' },
    retain: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return 'help';
  const generator = values.generator ?? 'emulator';
  if (generator !== 'builtin' && generator !== 'emulator') throw new BenchUsageError(`--generator must be builtin or emulator, got ${JSON.stringify(generator)}`);
  return {
    repositories: values.repositories === undefined ? FULL_SIZE.repositories : wholeNumber('--repositories', values.repositories),
    imagesPerRepository:
      values['images-per-repository'] === undefined ? FULL_SIZE.imagesPerRepository : wholeNumber('--images-per-repository', values['images-per-repository']),
    retain: values.retain ?? false,
    generator,
    batch: values.batch === undefined ? 1 : wholeNumber('--batch', values.batch),
  };
}

/** Small deterministic PRNG (the emulator's mulberry32): the bench must plan the same registry every run. */
function rng(seed: number): () => number {
  const random = new SeededRandom(seed);
  return () => random.next();
}

/** A digest that looks like a real one (64 uniformly spread hex digits), unique per (repo, n). */
function digest(repo: number, n: number): string {
  const random = rng(repo * 1_000_003 + n);
  let hex = '';
  for (let k = 0; k < 8; k++) hex += Math.floor(random() * 4294967296).toString(16).padStart(8, '0');
  return `sha256:${hex}`;
}

/**
 * One repository of exactly `size` manifests: of the top-level entries, 10% are referrers
 * (OCI subject or cosign tag) of an earlier image; of the images, 30% are indexes with 2-3
 * children; 30% of images are untagged; tags are releases, main builds, PR builds and `latest`.
 */
function builtinRepository(repo: number, size: number): RepositoryInventory {
  const random = rng(repo * 7919 + 1);
  const images: ImageRecord[] = [];
  const subjects: string[] = [];
  let n = 0;
  let release = 0;
  while (images.length < size) {
    const pushed = NOW - Math.floor(random() * 400 * DAY);
    const pulled = random() < 0.6 ? pushed + Math.floor(random() * (NOW - pushed)) : undefined;
    if (subjects.length > 0 && random() < 0.1) {
      const subject = subjects[Math.floor(random() * subjects.length)]!;
      const cosign = random() < 0.5;
      const r: ImageRecord = { imageDigest: digest(repo, n++), imagePushedAt: pushed, imageSizeInBytes: 1_500, imageManifestMediaType: MANIFEST };
      if (cosign) r.imageTags = [`sha256-${subject.slice(7)}.sig`];
      else r.subjectManifestDigest = subject;
      images.push(r);
      continue;
    }
    const roll = random();
    const tags =
      roll < 0.3
        ? []
        : roll < 0.5
          ? [`v${1 + Math.floor(release / 100)}.${Math.floor(release / 10) % 10}.${release++ % 10}`]
          : roll < 0.75
            ? [`main-${Math.floor(random() * 0xffffff).toString(16)}`]
            : roll < 0.999
              ? [`pr-${Math.floor(random() * 5000)}`]
              : ['latest'];
    const bytes = 20_000_000 + Math.floor(random() * 400_000_000);
    const self = digest(repo, n++);
    const record: ImageRecord = { imageDigest: self, imagePushedAt: pushed, imageSizeInBytes: bytes, imageManifestMediaType: MANIFEST };
    if (tags.length > 0) record.imageTags = tags;
    if (pulled !== undefined) record.lastRecordedPullTime = pulled;
    if (random() < 0.3 && images.length + 3 < size) {
      const children = 2 + Math.floor(random() * 2);
      const childDigests: string[] = [];
      for (let c = 0; c < children; c++) {
        const cd = digest(repo, n++);
        childDigests.push(cd);
        images.push({ imageDigest: cd, imagePushedAt: pushed, imageSizeInBytes: bytes, imageManifestMediaType: MANIFEST });
      }
      record.imageManifestMediaType = INDEX;
      record.childDigests = childDigests;
    }
    images.push(record);
    if (tags.length > 0) subjects.push(self);
  }
  images.length = Math.min(images.length, size);
  return { repositoryName: `team-${repo % 50}/service-${repo}`, images };
}

interface GeneratorModule {
  generateRepositories(options: Record<string, unknown>): Iterable<unknown>;
  toInventory(repo: unknown, now: number): RepositoryInventory;
}

async function* inventories(args: Args): AsyncGenerator<RepositoryInventory> {
  if (args.generator === 'builtin') {
    for (let r = 0; r < args.repositories; r++) yield builtinRepository(r, args.imagesPerRepository);
    return;
  }
  // Resolved at run time so the bench still type-checks and runs without the emulator.
  const path = '../emulator/generator.js';
  let gen: GeneratorModule;
  try {
    gen = (await import(path)) as GeneratorModule;
  } catch (error) {
    process.stderr.write(`emulator generator unavailable (${(error as Error).message}); using the built-in generator\n`);
    args.generator = 'builtin';
    yield* inventories(args);
    return;
  }
  // Top-level entries per repository such that, with children on top, the total is ~500
  // (measured: the emulator's generator yields 1.68 manifests per entry with these shares).
  const perRepository = Math.round(args.imagesPerRepository / 1.68);
  for (const repo of gen.generateRepositories({
    seed: 42,
    repositories: args.repositories,
    imagesPerRepository: perRepository,
    multiArchShare: 0.3,
    referrerShare: 0.1,
  })) {
    yield gen.toInventory(repo, NOW);
  }
}

const rule = (id: string, selection: Partial<Rule['selection']>, condition: Rule['condition']): Rule => ({
  id,
  selection: { tagStatus: 'any', tagPatterns: [], excludeTagPatterns: [], storageClass: 'standard', ...selection },
  condition,
  action: { type: 'expire' },
});

/** A realistic policy: semver releases, main builds, PR builds, untagged, and a catch-all. */
const RULES: RuleSet = {
  defaults: { mode: 'dry-run', minAgeMs: DAY, maxDeletionsPerRun: null, maxDeletePercentPerRepository: 95 },
  protect: { tags: ['latest'], repositories: [] },
  policies: [
    {
      name: 'all',
      repositories: { include: ['**'], exclude: [] },
      origin: 'rules',
      rules: [
        rule('releases', { tagStatus: 'tagged', tagPatterns: ['v*'] }, { type: 'imageCountMoreThan', count: 20, orderBy: 'semver' }),
        rule('main', { tagStatus: 'tagged', tagPatterns: ['main-*'] }, { type: 'imageCountMoreThan', count: 10, orderBy: 'pushedAt' }),
        rule('prs', { tagStatus: 'tagged', tagPatterns: ['/pr-\\d+/'] }, { type: 'sinceImagePushed', ms: 14 * DAY }),
        rule('untagged', { tagStatus: 'untagged' }, { type: 'sinceImagePushed', ms: 7 * DAY }),
        rule('old', { tagStatus: 'any' }, { type: 'sinceImagePushed', ms: 365 * DAY }),
      ],
    },
  ],
};

const MiB = 1024 * 1024;

async function main(args: Args): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const base = process.memoryUsage();
  let peakRss = base.rss;
  let peakHeap = base.heapUsed;
  let cpuMicros = 0;
  let wallMs = 0;
  let images = 0;
  let deletes = 0;
  let blocked = 0;
  let bytes = 0;
  const kinds = { index: 0, child: 0, referrer: 0, image: 0 };
  const retained: RepositoryPlan[] = [];
  let repositories = 0;

  // Repositories are generated (untimed), then planned under a CPU reading (user+system, so GC
  // helper threads count too). One at a time by default, as the engine does.
  const BATCH = args.batch;
  const source = inventories(args);
  for (;;) {
    const batch: RepositoryInventory[] = [];
    for (let b = 0; b < BATCH; b++) {
      const next = await source.next();
      if (next.done) break;
      batch.push(next.value);
    }
    if (batch.length === 0) break;
    const plans: RepositoryPlan[] = new Array(batch.length);
    const cpu = process.cpuUsage();
    const t0 = performance.now();
    for (let b = 0; b < batch.length; b++) plans[b] = planRepository(batch[b]!, RULES, NOW);
    wallMs += performance.now() - t0;
    const used = process.cpuUsage(cpu);
    cpuMicros += used.user + used.system;
    for (const plan of plans) {
      repositories++;
      images += plan.counts.images;
      deletes += plan.counts.delete;
      bytes += plan.counts.bytesToFree;
      if (plan.status === 'blocked') blocked++;
      for (const i of plan.images) kinds[i.role]++;
      if (args.retain) retained.push(plan);
    }
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  }
  const m = process.memoryUsage();
  peakRss = Math.max(peakRss, m.rss);
  peakHeap = Math.max(peakHeap, m.heapUsed);
  if (args.retain) summarizePlan(retained, NOW, 'dry-run');

  const cpuSeconds = cpuMicros / 1e6;
  const fullSize = args.repositories === FULL_SIZE.repositories && args.imagesPerRepository === FULL_SIZE.imagesPerRepository;
  const lines = [
    `planner benchmark (${args.generator} generator, batches of ${args.batch}${args.retain ? ', full plan retained' : ', plans not retained'}, node ${process.version})`,
    `  repositories      ${repositories}`,
    `  manifests         ${images} (images ${kinds.image}, indexes ${kinds.index}, children ${kinds.child}, referrers ${kinds.referrer})`,
    `  planned deletes   ${deletes} (${(bytes / 1024 ** 3).toFixed(1)} GiB to free), blocked repositories ${blocked}`,
    `  planning CPU      ${cpuSeconds.toFixed(2)} s (user+system, generation excluded)`,
    `  planning wall     ${(wallMs / 1000).toFixed(2)} s`,
    `  throughput        ${Math.round(images / cpuSeconds).toLocaleString('en-US')} images per CPU second`,
    `  peak RSS          ${(peakRss / MiB).toFixed(0)} MiB (baseline ${(base.rss / MiB).toFixed(0)} MiB)`,
    `  peak heap used    ${(peakHeap / MiB).toFixed(0)} MiB (baseline ${(base.heapUsed / MiB).toFixed(0)} MiB)`,
    // The target is stated for the full-size run; a smaller run meeting it says nothing.
    fullSize
      ? `  target            < 2 s CPU and < 512 MiB for 1,000,000 images: ${cpuSeconds < 2 && peakRss < 512 * MiB ? 'met' : 'NOT met'}`
      : `  target            < 2 s CPU and < 512 MiB applies to the full-size run (${FULL_SIZE.repositories.toLocaleString('en-US')} repositories x ${FULL_SIZE.imagesPerRepository} images, ~1,000,000); run without --repositories/--images-per-repository to check it`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

await runBench('bench:planner', USAGE, parsePlannerArgs, main);
