/**
 * Command-line parsing of the emulator CLI (`emulator/main.ts`), kept apart so it can be tested.
 */
import { parseArgs } from 'node:util';
import { EmulatorStateError } from './errors.js';
import type { GeneratorOptions } from './generator.js';
import type { EmulatorOptions, RateLimit } from './types.js';

/** The CLI's help text. */
export const USAGE = `Usage: npm run emulator -- [options]
  --state FILE                   load a JSON state file (see emulator/README.md)
  --port N                       port on 127.0.0.1 (default 0 = any free port)
  --generate k=v,...             add a generated registry: repos=N, images=N or MIN-MAX, untagged=0.3,
                                 multiarch=0.15, referrers=0.1, pulled=0.6, age=400 (days), seed=1, prefix=gen/,
                                 and the tag mix as weights: release=3, main=4, pr=3, feature=0, rc=0;
                                 consumers referencing the images (default none): clusters=N, services=N,
                                 tasks=N, families=N, revisions=N or MIN-MAX (per family, 1-10), functions=N,
                                 versions=N or MIN-MAX (per function, 0-8), jobs=N (Batch), apprunner=N
  --rate-limit Op=N[:BURST]      token bucket for an operation, N requests/second (repeatable); Op is an ECR
                                 operation (DescribeImages) or <service>:<Operation> (ecs:DescribeTasks)
  --access-denied Op             answer AccessDeniedException to an operation, or to a whole service with
                                 ecs:*, lambda:*, batch:*, apprunner:* (repeatable)
  --throttle-probability P       share of requests answered with ThrottlingException (0..1)
  --server-error-probability P   share of requests answered with HTTP 500 ServerException (0..1)
  --latency-ms N                 delay added to every answer
  --now ISO                      freeze the emulator's clock at this time
  --seed N                       seed of the fault dice and upload ids (default 1)
  --pull-time-exclusion AKID     access key id whose BatchGetImage calls do not update pull times (repeatable)
  --registry-id ID               12-digit registry id (default 123456789012)
  --region REGION                region used in ARNs and URIs (default us-east-1)
  --restore-delay-ms N           how long a restore from archive stays ACTIVATING (default 1200000 = 20 min)
  -h, --help                     show this help`;

/** Turns command-line arguments into emulator options; throws EmulatorStateError on bad input. */
export function parseCommandLine(argv: string[]): EmulatorOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      state: { type: 'string' },
      port: { type: 'string' },
      generate: { type: 'string' },
      'rate-limit': { type: 'string', multiple: true },
      'access-denied': { type: 'string', multiple: true },
      'throttle-probability': { type: 'string' },
      'server-error-probability': { type: 'string' },
      'latency-ms': { type: 'string' },
      now: { type: 'string' },
      seed: { type: 'string' },
      'pull-time-exclusion': { type: 'string', multiple: true },
      'registry-id': { type: 'string' },
      region: { type: 'string' },
      'restore-delay-ms': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return 'help';
  const options: EmulatorOptions = {};
  if (values.state !== undefined) options.state = values.state;
  if (values.port !== undefined) options.port = integer(values.port, '--port', 0, 65535);
  if (values.generate !== undefined) options.generate = parseGenerate(values.generate);
  if (values['rate-limit']) {
    options.rateLimits = {};
    for (const spec of values['rate-limit']) {
      const m = /^((?:[a-z]+:)?[A-Za-z]+)=(\d+(?:\.\d+)?)(?::(\d+))?$/.exec(spec);
      if (!m) throw new EmulatorStateError('--rate-limit', `"${spec}" should look like DescribeImages=20, DescribeImages=20:40 (rate:burst) or ecs:DescribeTasks=20`);
      const limit: RateLimit = { rate: Number(m[2]) };
      if (m[3] !== undefined) limit.burst = Number(m[3]);
      options.rateLimits[m[1] as string] = limit;
    }
  }
  if (values['access-denied']) options.accessDenied = values['access-denied'];
  if (values['throttle-probability'] !== undefined) options.throttleProbability = probability(values['throttle-probability'], '--throttle-probability');
  if (values['server-error-probability'] !== undefined) {
    options.serverErrorProbability = probability(values['server-error-probability'], '--server-error-probability');
  }
  if (values['latency-ms'] !== undefined) options.latencyMs = integer(values['latency-ms'], '--latency-ms', 0, 600_000);
  if (values.now !== undefined) options.now = values.now;
  if (values.seed !== undefined) options.seed = integer(values.seed, '--seed', 0, 2 ** 31 - 1);
  if (values['pull-time-exclusion']) options.pullTimeUpdateExclusions = values['pull-time-exclusion'];
  if (values['registry-id'] !== undefined) options.registryId = values['registry-id'];
  if (values.region !== undefined) options.region = values.region;
  if (values['restore-delay-ms'] !== undefined) options.restoreDelayMs = integer(values['restore-delay-ms'], '--restore-delay-ms', 0, 2 ** 31 - 1);
  return options;
}

/** Parses `repos=30,images=100,seed=1` into generator options. */
export function parseGenerate(spec: string): GeneratorOptions {
  const g: GeneratorOptions = {};
  for (const pair of spec.split(',').filter(Boolean)) {
    const [key, value] = pair.split('=') as [string, string | undefined];
    if (value === undefined) throw new EmulatorStateError('--generate', `"${pair}" should be key=value`);
    const where = `--generate ${key}`;
    switch (key) {
      case 'repos':
      case 'repositories':
        g.repositories = integer(value, where, 0, 1_000_000);
        break;
      case 'images': {
        const range = /^(\d+)-(\d+)$/.exec(value);
        g.imagesPerRepository = range ? [Number(range[1]), Number(range[2])] : integer(value, where, 0, 10_000_000);
        break;
      }
      case 'untagged':
        g.untaggedShare = probability(value, where);
        break;
      case 'multiarch':
        g.multiArchShare = probability(value, where);
        break;
      case 'referrers':
        g.referrerShare = probability(value, where);
        break;
      case 'pulled':
        g.pulledShare = probability(value, where);
        break;
      case 'age':
        g.maxAgeDays = integer(value, where, 1, 100_000);
        break;
      case 'seed':
        g.seed = integer(value, where, 0, 2 ** 31 - 1);
        break;
      case 'prefix':
        g.namePrefix = value;
        break;
      case 'release':
      case 'main':
      case 'pr':
      case 'feature':
      case 'rc':
        g.tagMix = { ...g.tagMix, [key === 'rc' ? 'releaseCandidate' : key]: integer(value, where, 0, 1_000_000) };
        break;
      case 'clusters':
      case 'services':
      case 'tasks':
      case 'families':
      case 'functions':
      case 'jobs':
      case 'apprunner':
        g.consumers = { ...g.consumers, [CONSUMER_KEYS[key]]: integer(value, where, 0, 1_000_000) };
        break;
      case 'revisions':
      case 'versions': {
        const range = /^(\d+)-(\d+)$/.exec(value);
        const parsed: number | [number, number] = range ? [Number(range[1]), Number(range[2])] : integer(value, where, 0, 10_000);
        g.consumers = { ...g.consumers, [key === 'revisions' ? 'revisionsPerFamily' : 'versionsPerFunction']: parsed };
        break;
      }
      default:
        throw new EmulatorStateError(
          '--generate',
          `unknown key "${key}" (known: repos, images, untagged, multiarch, referrers, pulled, age, seed, prefix, release, main, pr, feature, rc, clusters, services, tasks, families, revisions, functions, versions, jobs, apprunner)`,
        );
    }
  }
  return g;
}

/** `--generate` keys of the consumer counts → their option names. */
const CONSUMER_KEYS = {
  clusters: 'clusters',
  services: 'services',
  tasks: 'tasks',
  families: 'families',
  functions: 'functions',
  jobs: 'jobDefinitions',
  apprunner: 'appRunnerServices',
} as const;

function integer(text: string, where: string, min: number, max: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || n > max) throw new EmulatorStateError(where, `expected an integer between ${min} and ${max}, got "${text}"`);
  return n;
}

function probability(text: string, where: string): number {
  const n = Number(text);
  if (text.trim() === '' || !(n >= 0 && n <= 1)) throw new EmulatorStateError(where, `expected a probability between 0 and 1, got "${text}"`);
  return n;
}
