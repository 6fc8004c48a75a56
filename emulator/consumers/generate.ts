/**
 * Seeded generator of a synthetic account's consumers (ECS clusters, services, tasks, task definition
 * families and revisions, Lambda functions with versions and aliases, Batch job definitions, App
 * Runner services) that reference the registry's images by tag and by digest. It writes the state
 * file's consumer sections, so generated consumers go through the same checks and digest pinning as
 * hand-written ones. Same options and same registry → same consumers.
 */
import { EmulatorStateError } from '../errors.js';
import { SeededRandom, hashString } from '../random.js';
import type { StateBatchJobDefinition, StateEcsService, StateEcsTask, StateFile, StateLambdaFunction, StateTaskDefinition } from '../types.js';

/** How many consumers of each kind; every count defaults to 0 (no consumers). */
export interface ConsumerGeneratorOptions {
  /** Default: the registry generator's seed. */
  seed?: number;
  clusters?: number;
  /** ECS services, spread over the clusters. */
  services?: number;
  /** ECS tasks: most run for a service (its deployments' task definitions), some alone; about 1 in 10 STOPPED. */
  tasks?: number;
  /** Task definition families. */
  families?: number;
  /** Revisions per family, a number or an inclusive [min, max]; default [1, 10]. Some older ones are INACTIVE. */
  revisionsPerFamily?: number | [number, number];
  /** Lambda functions; about 1 in 7 is a Zip function. */
  functions?: number;
  /** Published versions per Image function, a number or [min, max]; default [0, 8]. */
  versionsPerFunction?: number | [number, number];
  jobDefinitions?: number;
  appRunnerServices?: number;
  /** Share of references written by digest (`repo@sha256:…`) rather than by tag; default 0.3. */
  digestShare?: number;
}

/** The registry as the generator sees it: repository names and their images. */
export interface ImageSource {
  repositories: readonly string[];
  /** Top-level images (no index children, no referrers) of a repository, oldest first. */
  imagesOf(repository: string): readonly { digest: string; tags: readonly string[] }[];
}

type Sections = Required<Pick<StateFile, 'ecs' | 'lambda' | 'batch' | 'apprunner'>>;

const COUNTS = ['clusters', 'services', 'tasks', 'families', 'functions', 'jobDefinitions', 'appRunnerServices'] as const;

/** Whether the options ask for any consumer at all. */
export function wantsConsumers(options: ConsumerGeneratorOptions | undefined): boolean {
  return options !== undefined && COUNTS.some((k) => (options[k] ?? 0) > 0);
}

/** Generates the consumer sections; EmulatorStateError (path `generate.consumers.*`) on bad options. */
export function generateConsumers(options: ConsumerGeneratorOptions, source: ImageSource, defaultSeed = 1): Sections {
  const o = resolve(options, defaultSeed);
  const rng = new SeededRandom(hashString(`consumers:${o.seed}`));
  const repos = source.repositories.map((name) => ({ name, images: source.imagesOf(name) })).filter((r) => r.images.length > 0);
  const sections: Sections = { ecs: { clusters: [], taskDefinitions: [] }, lambda: { functions: [] }, batch: { jobDefinitions: [] }, apprunner: { services: [] } };
  if (!COUNTS.some((k) => o[k] > 0)) return sections;
  if (repos.length === 0) throw new EmulatorStateError('generate.consumers', 'consumers need images to reference: generate or load repositories with images');
  if (o.services + o.tasks > 0 && (o.clusters === 0 || o.families === 0)) {
    throw new EmulatorStateError('generate.consumers', 'ECS services and tasks need clusters > 0 and families > 0');
  }

  type Repo = (typeof repos)[number];
  /** A reference to one of the repository's images: by tag (a tagged image) or by digest. */
  const reference = (repo: Repo, newest = false): string => {
    const tagged = repo.images.filter((i) => i.tags.length > 0);
    const byDigest = tagged.length === 0 || rng.chance(o.digestShare);
    const pool = byDigest ? repo.images : tagged;
    // Consumers mostly run recent images: pick from the newest third unless asked for the newest.
    const from = newest ? pool.length - 1 : Math.max(0, pool.length - 1 - Math.floor(rng.next() * Math.max(1, Math.ceil(pool.length / 3))));
    const image = pool[from] as { digest: string; tags: readonly string[] };
    return byDigest ? `${repo.name}@${image.digest}` : `${repo.name}:${rng.pick(image.tags)}`;
  };

  // Task definition families, their revisions oldest first.
  const families: { name: string; active: number[] }[] = [];
  const taskDefinitions = sections.ecs.taskDefinitions as StateTaskDefinition[];
  for (let f = 0; f < o.families; f++) {
    const repo = repos[f % repos.length] as Repo;
    const family = `${repo.name.replace(/[^A-Za-z0-9_-]/g, '-')}-${f}`;
    const revisions = rng.int(o.revisionsPerFamily[0], o.revisionsPerFamily[1]);
    const active: number[] = [];
    for (let r = 1; r <= revisions; r++) {
      const containers = [{ name: 'app', image: reference(repo, r === revisions) }];
      if (rng.chance(0.2)) containers.push({ name: 'sidecar', image: reference(rng.pick(repos)) });
      const status = r < revisions && rng.chance(0.15) ? 'INACTIVE' : 'ACTIVE';
      if (status === 'ACTIVE') active.push(r);
      taskDefinitions.push({ family, revision: r, status, containerDefinitions: containers });
    }
    families.push({ name: family, active });
  }

  const clusters = Array.from({ length: o.clusters }, (_, c) => ({ name: `cluster-${String(c + 1).padStart(2, '0')}`, services: [] as StateEcsService[], tasks: [] as StateEcsTask[] }));
  sections.ecs.clusters = clusters;
  const services: { cluster: (typeof clusters)[number]; name: string; taskDefinitions: string[] }[] = [];
  for (let s = 0; s < o.services; s++) {
    const cluster = clusters[s % clusters.length] as (typeof clusters)[number];
    const family = rng.pick(families);
    const newest = family.active[family.active.length - 1] as number;
    const deployments: NonNullable<StateEcsService['deployments']> = [{ taskDefinition: `${family.name}:${newest}`, status: 'PRIMARY' }];
    // A rolling deployment in progress keeps the previous revision ACTIVE.
    const previous = family.active[family.active.length - 2];
    if (previous !== undefined && rng.chance(0.1)) deployments.push({ taskDefinition: `${family.name}:${previous}`, status: 'ACTIVE' });
    const name = `${family.name}-svc-${s}`;
    cluster.services.push({ name, deployments });
    services.push({ cluster, name, taskDefinitions: deployments.map((d) => d.taskDefinition) });
  }
  for (let t = 0; t < o.tasks; t++) {
    const lastStatus = rng.chance(0.1) ? 'STOPPED' : 'RUNNING';
    if (services.length > 0 && rng.chance(0.85)) {
      const service = rng.pick(services);
      service.cluster.tasks.push({ taskDefinition: rng.pick(service.taskDefinitions), service: service.name, lastStatus });
    } else {
      const family = rng.pick(families);
      (rng.pick(clusters) as (typeof clusters)[number]).tasks.push({ taskDefinition: `${family.name}:${rng.pick(family.active)}`, lastStatus });
    }
  }

  const functions = sections.lambda.functions as StateLambdaFunction[];
  for (let f = 0; f < o.functions; f++) {
    const name = `fn-${String(f).padStart(4, '0')}`;
    if (rng.chance(1 / 7)) {
      functions.push({ name, packageType: 'Zip' });
      continue;
    }
    const repo = rng.pick(repos);
    const count = rng.int(o.versionsPerFunction[0], o.versionsPerFunction[1]);
    const versions = Array.from({ length: count }, (_, v) => reference(repo, v === count - 1));
    const fn: StateLambdaFunction = { name, image: reference(repo, true), versions };
    if (count > 0 && rng.chance(0.5)) {
      fn.aliases = [count > 1 && rng.chance(0.2) ? { name: 'live', version: count - 1, additionalVersionWeights: { [String(count)]: 0.1 } } : { name: 'live', version: count }];
    }
    functions.push(fn);
  }

  const jobs = sections.batch.jobDefinitions as StateBatchJobDefinition[];
  for (let j = 0; j < o.jobDefinitions; j++) {
    const repo = rng.pick(repos);
    const name = `job-${String(j).padStart(4, '0')}`;
    const roll = rng.next();
    if (roll < 0.1) jobs.push({ name, nodeProperties: { nodeRangeProperties: [{ targetNodes: '0:', container: { image: reference(repo) } }] } });
    else if (roll < 0.2) jobs.push({ name, eksProperties: { podProperties: { containers: [{ name: 'main', image: reference(repo) }] } } });
    else jobs.push({ name, image: reference(repo), ...(rng.chance(0.1) ? { status: 'INACTIVE' as const } : {}) });
  }

  sections.apprunner.services = Array.from({ length: o.appRunnerServices }, (_, a) => ({ name: `apprunner-${String(a).padStart(4, '0')}`, image: reference(rng.pick(repos), true) }));
  return sections;
}

type Resolved = Required<Omit<ConsumerGeneratorOptions, 'revisionsPerFamily' | 'versionsPerFunction'>> & {
  revisionsPerFamily: [number, number];
  versionsPerFunction: [number, number];
};

function resolve(options: ConsumerGeneratorOptions, defaultSeed: number): Resolved {
  const where = (key: string): string => `generate.consumers.${key}`;
  const o = {
    seed: options.seed ?? defaultSeed,
    clusters: options.clusters ?? 0,
    services: options.services ?? 0,
    tasks: options.tasks ?? 0,
    families: options.families ?? 0,
    functions: options.functions ?? 0,
    jobDefinitions: options.jobDefinitions ?? 0,
    appRunnerServices: options.appRunnerServices ?? 0,
    digestShare: options.digestShare ?? 0.3,
    revisionsPerFamily: range(options.revisionsPerFamily ?? [1, 10], 1, where('revisionsPerFamily')),
    versionsPerFunction: range(options.versionsPerFunction ?? [0, 8], 0, where('versionsPerFunction')),
  };
  if (!Number.isInteger(o.seed)) throw new EmulatorStateError(where('seed'), 'must be an integer');
  for (const key of COUNTS) {
    if (!Number.isInteger(o[key]) || o[key] < 0) throw new EmulatorStateError(where(key), `must be a whole number >= 0, got ${String(o[key])}`);
  }
  if (!(o.digestShare >= 0 && o.digestShare <= 1)) throw new EmulatorStateError(where('digestShare'), `must be between 0 and 1, got ${o.digestShare}`);
  return o;
}

function range(value: number | [number, number], min: number, where: string): [number, number] {
  const r = typeof value === 'number' ? [value, value] : value;
  if (!Array.isArray(r) || r.length !== 2 || !r.every((n) => Number.isInteger(n) && n >= min) || (r[0] as number) > (r[1] as number)) {
    throw new EmulatorStateError(where, `must be a whole number >= ${min} or a [min, max] range`);
  }
  return r as [number, number];
}
