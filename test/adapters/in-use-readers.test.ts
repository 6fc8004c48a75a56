/**
 * The drivers' factory of in-use readers: one reader per source the rules enable, none for a
 * source turned off, clients taken only for the sources built, relative file locations against
 * the rules file's directory, and the deployment's in-use prefix as the files' default location.
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createInUseReaders } from '../../lib/adapters/in-use-readers.js';
import { DEFAULT_IN_USE_SETTINGS } from '../../lib/core/in-use-settings.js';
import type { InUseSettings } from '../../lib/core/rules-model.js';
import { createAwsClients, type AwsClients } from '../../lib/adapters/aws-clients.js';
import { ConfigError } from '../../lib/errors.js';

type ScanClients = Pick<AwsClients, 'ecs' | 'lambda' | 'batch' | 'apprunner' | 's3'>;

let real: AwsClients;
let touched: string[];
let clients: ScanClients;
let dir: string;

beforeEach(async () => {
  real = createAwsClients({ region: 'us-east-1', env: {}, credentials: { accessKeyId: 'AKIDREADERS', secretAccessKey: 'x' } });
  touched = [];
  // Records which clients the factory asks for: each one asked for is built.
  clients = {
    get ecs() { touched.push('ecs'); return real.ecs; },
    get lambda() { touched.push('lambda'); return real.lambda; },
    get batch() { touched.push('batch'); return real.batch; },
    get apprunner() { touched.push('apprunner'); return real.apprunner; },
    get s3() { touched.push('s3'); return real.s3; },
  };
  dir = await mkdtemp(join(tmpdir(), 'ecr-sweeper-readers-'));
});

afterEach(async () => {
  real.destroy();
  await rm(dir, { recursive: true, force: true });
});

const ALL_OFF: InUseSettings = { ecs: false, lambda: false, batch: false, apprunner: false, files: null, rescanAfterMs: 300_000 };
const FILES = { locations: [] as string[], maxAgeMs: 24 * 3_600_000, expect: [] as string[] };

describe('createInUseReaders', () => {
  it('by default (no inUse block) scans ECS and Lambda, and builds no other client', () => {
    const readers = createInUseReaders(DEFAULT_IN_USE_SETTINGS, clients, { baseDir: dir });
    expect(readers.map((r) => [r.source, r.label])).toEqual([
      ['ecs', 'ECS (all clusters)'],
      ['lambda', 'Lambda (image functions)'],
    ]);
    expect(touched).toEqual(['ecs', 'lambda']);
  });

  it('builds nothing for sources turned off: the engine reports them off', () => {
    expect(createInUseReaders(ALL_OFF, clients, { baseDir: dir })).toEqual([]);
    expect(touched).toEqual([]);
  });

  it('builds every source turned on, with its settings', () => {
    const settings: InUseSettings = {
      ecs: { clusters: ['prod-*'], taskDefinitionRevisions: 3 },
      lambda: { versions: 2 },
      batch: true,
      apprunner: true,
      files: { ...FILES, locations: ['in-use/'] },
      rescanAfterMs: 60_000,
    };
    const readers = createInUseReaders(settings, clients, { baseDir: dir });
    expect(readers.map((r) => [r.source, r.label])).toEqual([
      ['ecs', 'ECS (clusters prod-*)'],
      ['lambda', 'Lambda (image functions)'],
      ['batch', 'Batch (ACTIVE job definitions)'],
      ['apprunner', 'App Runner (services)'],
      ['file', 'in-use files (in-use/)'],
    ]);
    // Local files only: no S3 client is built.
    expect(touched).toEqual(['ecs', 'lambda', 'batch', 'apprunner']);
  });

  it('reads relative local file locations against the rules file directory', async () => {
    const rulesDir = join(dir, 'rules');
    await mkdir(join(rulesDir, 'in-use'), { recursive: true });
    const image = '123456789012.dkr.ecr.us-east-1.amazonaws.com/app:v1';
    await writeFile(join(rulesDir, 'in-use', 'build-hosts.json'), JSON.stringify([image]));
    const [reader] = createInUseReaders({ ...ALL_OFF, files: { ...FILES, locations: ['in-use'] } }, clients, { baseDir: rulesDir });
    const scan = await reader!.scan({ now: Date.now() });
    expect(scan.usages.map((u) => u.reference)).toEqual([image]);
    expect(scan.usages[0]!.consumer).toContain('build-hosts.json');
  });

  it("takes the deployment's in-use prefix when inUse.files lists no location, and builds the S3 client for it", () => {
    const [reader] = createInUseReaders({ ...ALL_OFF, files: FILES }, clients, { baseDir: dir, defaultFilesLocation: 's3://reports/in-use/' });
    expect(reader!.label).toBe('in-use files (s3://reports/in-use/)');
    expect(touched).toEqual(['s3']);
    // Locations written in the rules win over the default.
    touched.length = 0;
    const [own] = createInUseReaders({ ...ALL_OFF, files: { ...FILES, locations: ['hosts.json'] } }, clients, { baseDir: dir, defaultFilesLocation: 's3://reports/in-use/' });
    expect(own!.label).toBe('in-use files (hosts.json)');
    expect(touched).toEqual([]);
  });

  it('refuses in-use files with no location anywhere (a CLI run has no deployment prefix), naming the fix', () => {
    expect(() => createInUseReaders({ ...ALL_OFF, files: FILES }, clients, { baseDir: dir })).toThrow(ConfigError);
    expect(() => createInUseReaders({ ...ALL_OFF, files: FILES }, clients, { baseDir: dir })).toThrow(/inUse\.files has no locations/);
  });
});
