/**
 * The ECR API emulator: an HTTP server on 127.0.0.1 that the real AWS SDK and AWS CLI talk to
 * unchanged. `startEmulator(options)` starts one and returns a handle with a programmatic registry
 * API for tests and demos. See emulator/README.md (usage) and emulator/SPEC.md (behaviour).
 */
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Accounts, imageSourceOf, targetKey } from './accounts.js';
import { Organization } from './organization.js';
import { EmulatorStateError } from './errors.js';
import { generateConsumers, wantsConsumers } from './consumers/generate.js';
import { loadConsumers } from './consumers/load.js';
import { Consumers } from './consumers/model.js';
import { Faults } from './faults.js';
import { Principals } from './principals.js';
import { generateRepositories } from './generator.js';
import { SeededRandom } from './random.js';
import { Clock, Registry, repositorySnapshot, toSnapshot } from './registry.js';
import { createRequestHandler, type ServerDeps } from './server.js';
import { parseNowOption } from './time.js';
import type {
  EmulatorOptions,
  EmulatorStats,
  FaultOptions,
  ImageSnapshot,
  RepositorySnapshot,
  StateFile,
  StateImage,
} from './types.js';

export type * from './types.js';
export { EcrApiError, EmulatorStateError } from './errors.js';
export { generateOrganization, organizationSectionOf, type OrganizationOptions } from './accounts.js';
export type { StateOrganization, StateOrganizationAccount, StateOrganizationalUnit } from './organization.js';
export { generateConsumers, type ConsumerGeneratorOptions, type ImageSource } from './consumers/generate.js';
export {
  generateRepositories,
  generateRepository,
  generateState,
  repositoryNameAt,
  toInventory,
  type GeneratedRepository,
  type GeneratorOptions,
} from './generator.js';

/** A running emulator. */
export interface RunningEmulator {
  /** `http://127.0.0.1:PORT`: pass it as the SDK's `endpoint` or the CLI's `--endpoint-url`. */
  readonly url: string;
  readonly port: number;
  readonly registryId: string;
  readonly region: string;
  /** Closes the server (open connections included). */
  stop(): Promise<void>;
  /** Per-operation counters (the same JSON as `GET /_emulator/stats`). */
  stats(): EmulatorStats;
  /**
   * The counters of one account and Region (`GET /_emulator/stats?account=A&region=R`). Counted
   * once the emulator routes by account and Region (an `accounts` section is loaded).
   */
  statsOf(accountId: string, region: string): EmulatorStats;
  /**
   * The repositories of one account and Region, sorted by name (an unseeded pair has none), for
   * assertions on multi-account runs; `repositories()` is the default account's default Region.
   */
  repositoriesOf(accountId: string, region: string): RepositorySnapshot[];
  resetStats(): void;
  /** The emulator's current time, epoch ms. */
  now(): number;
  /** Freezes the clock (ISO-8601, Date or epoch ms); `undefined` lets it follow wall time again. */
  setNow(now: string | number | Date | undefined): void;
  /** Changes fault knobs while serving; knobs not named keep their values. */
  setFaults(faults: FaultOptions): void;
  /** Replaces the pull-time update exclusions (access key ids or principal ARNs). */
  setPullTimeUpdateExclusions(accessKeyIdsOrArns: string[]): void;
  /**
   * Adds a state file's repositories and images (relative times resolve against `now()`), then its
   * consumer sections (`ecs`, `lambda`, `batch`, `apprunner`), whose tags resolve against them;
   * its `accounts`, and its `organization`, which replaces the emulator's.
   */
  loadState(state: StateFile): void;
  /** Removes every repository and every consumer. */
  clear(): void;
  /** Creates an empty repository (or returns the existing one's snapshot). */
  createRepository(name: string): RepositorySnapshot;
  /** Adds images (state-file form) to a repository, creating it if needed; returns them, children first. */
  addImages(repository: string, images: StateImage[]): ImageSnapshot[];
  /** Points `tag` at the image with `digest` (moving it from another image if needed). */
  tagImage(repository: string, digest: string, tag: string): void;
  /** Every repository, sorted by name. */
  repositories(): RepositorySnapshot[];
  /** A repository's images in listing order (throws if the repository does not exist). */
  images(repository: string): ImageSnapshot[];
  /** One image by digest or tag, or undefined. */
  findImage(repository: string, ref: { digest?: string; tag?: string }): ImageSnapshot | undefined;
}

const DEFAULT_REGISTRY_ID = '123456789012';

/** Starts an emulator on 127.0.0.1 (port 0 = ephemeral). */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const state = typeof options.state === 'string' ? await readStateFile(options.state) : options.state;
  const fixedNow = options.now !== undefined ? parseNowOption(options.now) : state?.now !== undefined ? parseNowOption(state.now, 'state.now') : undefined;
  const registryId = options.registryId ?? DEFAULT_REGISTRY_ID;
  if (!/^[0-9]{12}$/.test(registryId)) throw new EmulatorStateError('registryId', 'must be 12 digits');
  const clock = new Clock(fixedNow);
  const restoreDelayMs = options.restoreDelayMs !== undefined ? validRestoreDelay(options.restoreDelayMs) : undefined;
  const makeRegistry = (accountId: string, region: string): Registry =>
    new Registry({
      registryId: accountId,
      region,
      clock,
      maxRepositories: options.maxRepositories ?? 100_000,
      maxImagesPerRepository: options.maxImagesPerRepository ?? 20_000,
      ...(restoreDelayMs !== undefined ? { restoreDelayMs } : {}),
    });
  const registry = makeRegistry(registryId, options.region ?? 'us-east-1');
  const consumers = new Consumers(registryId, registry.region);
  const accounts = new Accounts(registryId, registry.region, makeRegistry, registry, consumers);
  const exclusions = new Set(options.pullTimeUpdateExclusions ?? []);
  const principals = new Principals(registryId, new Map(Object.entries(options.principals ?? {})), exclusions);
  if (state) {
    registry.loadState(state);
    loadConsumers(state, consumers, registry, clock.now());
    if (state.accounts !== undefined) accounts.load(state.accounts, principals, clock.now());
  }
  if (options.accounts !== undefined) accounts.load(options.accounts, principals, clock.now(), 'options.accounts');
  if (options.generate) {
    const now = clock.now();
    for (const repo of generateRepositories(options.generate)) registry.loadRepository(repo, now, `generate.repositories[${repo.index}]`);
    if (wantsConsumers(options.generate.consumers)) {
      const sections = generateConsumers(options.generate.consumers ?? {}, imageSourceOf(registry), options.generate.seed ?? 1);
      loadConsumers(sections, consumers, registry, now);
    }
  }
  const organizationSection = options.organization ?? state?.organization;
  const organization =
    organizationSection !== undefined ? new Organization(organizationSection, registryId, options.organization !== undefined ? 'options.organization' : 'organization') : undefined;
  const seed = options.seed ?? 1;
  const faults = new Faults(
    {
      rateLimits: options.rateLimits,
      throttleProbability: options.throttleProbability,
      serverErrorProbability: options.serverErrorProbability,
      latencyMs: options.latencyMs,
      accessDenied: options.accessDenied,
    },
    seed,
  );
  let baseUrl = '';
  const serverDeps: ServerDeps = {
    registry,
    accounts,
    faults,
    random: new SeededRandom(seed ^ 0x5eed),
    principals,
    organization,
    baseUrl: () => baseUrl,
    onInternalError: (error) => console.error('[ecr-emulator] internal error:', error),
  };
  const server = createServer({ keepAliveTimeout: 5_000 }, createRequestHandler(serverDeps));
  const port = await listen(server, options.port ?? 0);
  baseUrl = `http://127.0.0.1:${port}`;

  const emulator: RunningEmulator = {
    url: baseUrl,
    port,
    registryId,
    region: registry.region,
    stop: () => close(server),
    stats: () => faults.stats(),
    statsOf: (accountId, region) => faults.statsOf(targetKey(accountId, region)),
    repositoriesOf: (accountId, region) => accounts.target(accountId, region).registry.snapshotRepositories(),
    resetStats: () => faults.resetStats(),
    now: () => clock.now(),
    setNow: (now) => clock.set(now === undefined ? undefined : parseNowOption(now)),
    setFaults: (f) => faults.set(f),
    setPullTimeUpdateExclusions: (ids) => {
      exclusions.clear();
      for (const id of ids) exclusions.add(id);
    },
    loadState: (s) => {
      registry.loadState(s);
      loadConsumers(s, consumers, registry, clock.now());
      if (s.accounts !== undefined) accounts.load(s.accounts, principals, clock.now());
      // An organization section replaces the organization (it is read at every Organizations call).
      if (s.organization !== undefined) serverDeps.organization = new Organization(s.organization, registryId);
    },
    clear: () => accounts.clear(),
    createRepository: (name) => {
      const repo = registry.find(name) ?? registry.loadRepository({ name }, clock.now(), 'createRepository');
      return repositorySnapshot(repo);
    },
    addImages: (name, images) => {
      const repo = registry.find(name) ?? registry.loadRepository({ name }, clock.now(), 'addImages');
      return registry.addImages(repo, images, clock.now(), `addImages(${name})`).map(toSnapshot);
    },
    tagImage: (name, digest, tag) => {
      const repo = registry.get(name);
      const img = repo.images.get(digest);
      if (!img) throw new EmulatorStateError('tagImage', `no image ${digest} in repository ${name}`);
      repo.setTag(img, tag);
    },
    repositories: () => registry.snapshotRepositories(),
    images: (name) => registry.snapshotImages(name),
    findImage: (name, ref) => {
      const repo = registry.find(name);
      const img = ref.digest !== undefined ? repo?.images.get(ref.digest) : ref.tag !== undefined ? repo?.tags.get(ref.tag) : undefined;
      return img ? toSnapshot(img) : undefined;
    },
  };
  return emulator;
}

function validRestoreDelay(ms: number): number {
  if (!Number.isFinite(ms) || ms < 0) throw new EmulatorStateError('restoreDelayMs', `must be a number of milliseconds >= 0, got ${String(ms)}`);
  return ms;
}

/** Reads and parses a JSON state file; EmulatorStateError says which file and why. */
export async function readStateFile(path: string): Promise<StateFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new EmulatorStateError(path, `cannot read the state file: ${(cause as Error).message}`, { cause });
  }
  try {
    return JSON.parse(text) as StateFile;
  } catch (cause) {
    throw new EmulatorStateError(path, `the state file is not valid JSON: ${(cause as Error).message}`, { cause });
  }
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}
