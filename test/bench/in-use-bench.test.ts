/**
 * The in-use scan benchmark: its lower bound of calls per operation, computed from a hand-counted
 * account (page and batch limits, statuses, rollback revisions, Lambda qualifiers), the pacing
 * bound, and its command line (read like the other benches'), with one tiny real run in which
 * every reader makes exactly the bound's calls.
 */
import { describe, expect, it } from 'vitest';
import type { StateEcsService, StateEcsTask, StateTaskDefinition } from '../../emulator/index.js';
import { inUseLowerBound, pacingBoundMs, type AccountSections } from '../../bench/support/in-use-bound.js';
import { runBenchScript } from './support/run-bench.js';

const times = <T>(n: number, make: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => make(i));

/** Counted by hand below, operation by operation. */
function account(): AccountSections {
  const taskDefinitions: StateTaskDefinition[] = [
    // web: revisions 1-7, 2 INACTIVE; newest 5 ACTIVE are 7, 6, 5, 4, 3.
    ...times(7, (i) => ({ family: 'web', containerDefinitions: [{ image: 'team/web:v1' }], ...(i === 1 ? { status: 'INACTIVE' as const } : {}) })),
    // old: no ACTIVE revision, so not an ACTIVE family.
    { family: 'old', revision: 1, status: 'INACTIVE', containerDefinitions: [{ image: 'team/old:v1' }] },
    { family: 'api', revision: 4, containerDefinitions: [{ image: 'team/api:v1' }] },
  ];
  const services: StateEcsService[] = [
    ...times(10, (i) => ({ name: `s${i}`, taskDefinition: 'web:7' })),
    // A rolling deployment: web:1 is ACTIVE too (a second revision, and a task definition no family read covers).
    { name: 'rolling', deployments: [{ taskDefinition: 'web:7' }, { taskDefinition: 'web:1', status: 'ACTIVE' }] },
    // Revisions older than the API: none to describe; its INACTIVE deployment is not read.
    { name: 'legacy', deployments: [{ taskDefinition: 'api:4' }, { taskDefinition: 'web:2', status: 'INACTIVE' }], revisions: [] },
  ];
  const tasks: StateEcsTask[] = [...times(150, () => ({ taskDefinition: 'web:7' })), ...times(30, () => ({ taskDefinition: 'web:7', lastStatus: 'STOPPED' as const }))];
  return {
    ecs: { taskDefinitions, clusters: [{ name: 'busy', services, tasks }, { name: 'empty' }] },
    lambda: {
      functions: [
        { name: 'zip', packageType: 'Zip' },
        { name: 'plain', image: 'team/fn:v1' },
        {
          name: 'busy',
          image: 'team/fn:v1',
          versions: times(60, () => 'team/fn:v1'),
          aliases: [
            { name: 'live', version: 3, additionalVersionWeights: { '58': 0.1 } },
            { name: 'edge', version: '$LATEST' },
          ],
        },
      ],
    },
    batch: { jobDefinitions: [...times(130, (i) => ({ name: `j${i}`, image: 'team/job:v1' })), ...times(20, (i) => ({ name: `off${i}`, image: 'team/job:v1', status: 'INACTIVE' as const }))] },
    apprunner: { services: [{ name: 'api-svc', image: 'team/api:v1' }, { name: 'web-svc', image: 'team/web:v1' }, { name: 'gone-svc', image: 'team/web:v1', status: 'DELETED' }] },
  };
}

describe('inUseLowerBound', () => {
  it('counts every operation from the account: pages, batches, statuses, rollback targets and qualifiers', () => {
    const { bound, size } = inUseLowerBound(account(), { taskDefinitionRevisions: 5, lambdaVersions: 5 });
    expect(bound).toEqual({
      'ecs:ListClusters': 1,
      // busy: 150 RUNNING → 2 pages, 30 STOPPED → 1; empty: 1 page of each status.
      'ecs:ListTasks': 3 + 2,
      'ecs:DescribeTasks': 2 + 0,
      'ecs:ListServices': 1 + 1,
      // 12 services, 10 a call.
      'ecs:DescribeServices': 2 + 0,
      // 10 + 2 (rolling) + 0 (legacy) = 12 revisions, 20 a call.
      'ecs:DescribeServiceRevisions': 1,
      'ecs:ListTaskDefinitionFamilies': 1,
      // web and api; old has no ACTIVE revision.
      'ecs:ListTaskDefinitions': 2,
      // web:7,6,5,4,3 and api:4 (rollback targets) + web:1 (the rolling deployment); web:2 is INACTIVE.
      'ecs:DescribeTaskDefinition': 7,
      'lambda:ListFunctions': 1,
      'lambda:ListAliases': 2,
      // plain: $LATEST alone, 1 page; busy: 61 versions with $LATEST, 2 pages.
      'lambda:ListVersionsByFunction': 1 + 2,
      // plain: $LATEST; busy: $LATEST (edge too), 3 (live), 58 (live's canary, also among the newest), 60..56.
      'lambda:GetFunction': 1 + 7,
      'batch:DescribeJobDefinitions': 2,
      'apprunner:ListServices': 1,
      'apprunner:DescribeService': 2,
    });
    expect(size).toMatchObject({ clusters: 2, services: 12, serviceRevisions: 12, tasks: 180, stoppedTasks: 30, activeFamilies: 2, taskDefinitions: 9, describedTaskDefinitions: 7 });
    expect(size).toMatchObject({ functions: 3, imageFunctions: 2, versions: 60, aliases: 2, qualifiers: 8, jobDefinitions: 130, appRunnerServices: 2 });
  });

  it('an empty account still costs one first page of every account-wide list', () => {
    expect(inUseLowerBound({}, { taskDefinitionRevisions: 5, lambdaVersions: 5 }).bound).toEqual({
      'ecs:ListClusters': 1,
      'ecs:ListTaskDefinitionFamilies': 1,
      'ecs:ListTaskDefinitions': 0,
      'ecs:DescribeTaskDefinition': 0,
      'lambda:ListFunctions': 1,
      'batch:DescribeJobDefinitions': 1,
      'apprunner:ListServices': 1,
      'apprunner:DescribeService': 0,
    });
  });

  it('with no rollback revisions and no newest versions only deployments and aliases count', () => {
    const { bound } = inUseLowerBound(account(), { taskDefinitionRevisions: 0, lambdaVersions: 0 });
    expect(bound['ecs:ListTaskDefinitionFamilies']).toBeUndefined();
    expect(bound['ecs:ListTaskDefinitions']).toBeUndefined();
    // web:7 and web:1 (rolling), api:4 (legacy's PRIMARY).
    expect(bound['ecs:DescribeTaskDefinition']).toBe(3);
    // plain: $LATEST; busy: $LATEST, 3, 58.
    expect(bound['lambda:GetFunction']).toBe(1 + 3);
  });
});

describe('pacingBoundMs', () => {
  it.each([
    [[{ calls: 121, perSecond: 12, burst: 1 }], 10_000],
    [[{ calls: 121, perSecond: 12, burst: 1 }, { calls: 801, perSecond: 80, burst: 1 }], 10_000],
    [[{ calls: 50, perSecond: 10, burst: 20 }], 3_000],
    [[{ calls: 5, perSecond: 10, burst: 20 }], 0],
    [[{ calls: 500, perSecond: Infinity, burst: 1 }], 0],
    [[], 0],
  ])('%j → %d ms', (groups, ms) => {
    expect(pacingBoundMs(groups)).toBeCloseTo(ms, 6);
  });
});

const bench = (args: readonly string[]) => runBenchScript('bench/in-use-scan.ts', args);

describe('bench/in-use-scan.ts arguments', () => {
  it('runs a tiny account with --name value and --name=value mixed; every reader makes exactly the bound', async () => {
    const run = await bench(['--clusters', '2', '--services=4', '--tasks', '12', '--families=3', '--functions', '4', '--jobs=2', '--apprunner', '2', '--repositories=3', '--images', '4', '--latency-ms=0', '--seed', '7']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^account: ECS 2 clusters, 4 services .*, 12 tasks /);
    expect(run.stdout).toContain('registry: 3 repositories, 4 images each (generator seed 7)');
    expect(run.stdout).toContain('the emulator does not rate-limit (+0 ms latency per request)');
    const rows = run.stdout.split('\n').filter((l) => /^(ecs|lambda|batch|apprunner):\w+ /.test(l));
    expect(rows).toHaveLength(16);
    for (const row of rows) {
      const [, calls, bound] = row.trim().split(/\s+/);
      expect(calls, row).toBe(bound);
    }
    expect(run.stdout).toMatch(/^total\s+(\d+)\s+\1\s+1\.00x\s+0$/m);
    expect(run.stdout).toMatch(/^ECS \(all clusters\)\s+[1-9]\d*\s+[1-9]\d*\s+\d+\.\d$/m);
    expect(run.stdout).toMatch(/^scan wall time: \d+\.\d s \(all sources at once, as a run scans them\); pacing bound \d+\.\d s/m);
  });

  it('--rate says that the emulator rate-limits', async () => {
    const run = await bench(['--clusters', '1', '--services', '1', '--tasks', '1', '--families', '1', '--functions', '1', '--jobs', '0', '--apprunner', '0', '--repositories', '1', '--images', '2', '--latency-ms', '0', '--rate', '1000']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('pacing: the emulator rate-limits every in-use operation to 1000 req/s (burst 1000)');
    expect(run.stdout).toContain('every operation at 1000/s');
  });

  it.each([
    [['--bogus'], "Unknown option '--bogus'"],
    [['--clusters'], "Option '--clusters <value>' argument missing"],
    [['--tasks', 'lots'], '--tasks must be a whole number of at least 0, got "lots"'],
    [['--repositories=0'], '--repositories must be a whole number of at least 1, got "0"'],
    [['--rate=-1'], '--rate must be a number of at least 0, got "-1"'],
    [['--latency-ms=x'], '--latency-ms must be a number of at least 0, got "x"'],
    [['--clusters', '0'], 'ECS services and tasks need --clusters and --families of at least 1'],
    [['20'], "Unexpected argument '20'. This command does not take positional arguments"],
  ])('%j: exit 2 with the usage, no stack trace, no emulator started', async (args, message) => {
    const run = await bench(args);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.split('\n')[0]).toBe(`bench:in-use: ${message}`);
    expect(run.stderr).toMatch(/^usage: npm run bench:in-use -- \[options\]/m);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it.each(['--help', '-h'])('%s prints the usage with every option and exits 0', async (flag) => {
    const run = await bench([flag]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^usage: npm run bench:in-use/);
    for (const option of ['--clusters N', '--services N', '--tasks N', '--families N', '--functions N', '--jobs N', '--apprunner N', '--repositories N', '--images N', '--latency-ms N', '--rate N', '--seed N']) {
      expect(run.stdout).toContain(option);
    }
  });
});
