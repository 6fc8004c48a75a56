/**
 * The fewest API calls that can read a synthetic account's in-use set completely, per operation,
 * computed from the account itself (the emulator state sections the generator wrote), never from
 * what a reader did. bench/in-use-scan.ts prints the readers' calls against it.
 *
 * Derivation, with the API's page and batch limits (docs/in-use.md, the AWS sources):
 * - ECS. `ListClusters` pages of 100: ⌈C/100⌉, at least 1. Per cluster c with R_c RUNNING and S_c
 *   STOPPED tasks: `ListTasks` once per desired status (the API lists one status at a time), pages of
 *   100: max(1, ⌈R_c/100⌉) + max(1, ⌈S_c/100⌉); `DescribeTasks` 100 ARNs a call: ⌈(R_c+S_c)/100⌉.
 *   Per cluster with V_c services and V'_c current service revisions (one per PRIMARY or ACTIVE
 *   deployment): `ListServices` pages of 100: max(1, ⌈V_c/100⌉); `DescribeServices` 10 a call:
 *   ⌈V_c/10⌉; `DescribeServiceRevisions` 20 a call: ⌈V'_c/20⌉. In the account, with F ACTIVE
 *   families: `ListTaskDefinitionFamilies` pages of 100: max(1, ⌈F/100⌉); `ListTaskDefinitions`
 *   (status ACTIVE, sort DESC, maxResults N) one per family: F; `DescribeTaskDefinition` one per
 *   distinct task definition among the PRIMARY/ACTIVE deployments and the newest N ACTIVE revisions
 *   of every ACTIVE family: T. (Tasks need no task definition read: DescribeTasks gives their images.)
 * - Lambda. `ListFunctions` pages of 50: max(1, ⌈L/50⌉) for L functions (Zip ones included: the
 *   package type is only known from the listing). Per image function f with A_f aliases and P_f
 *   published versions: `ListAliases` pages of 50: max(1, ⌈A_f/50⌉); `ListVersionsByFunction` pages of
 *   50 that include `$LATEST`: ⌈(P_f+1)/50⌉; `GetFunction` once per distinct qualifier among
 *   `$LATEST`, the aliases' versions (canary weights included) and the newest N versions: Q_f.
 * - Batch. `DescribeJobDefinitions` (status ACTIVE) pages of 100: max(1, ⌈J/100⌉) for J ACTIVE ones.
 * - App Runner. `ListServices` answers every service in one page when MaxResults is not given (as
 *   the API reference says): 1; `DescribeService` once per service: S (the listing does not say
 *   which ones deploy an ECR image).
 */
import type { StateAppRunner, StateBatch, StateEcs, StateLambda } from '../../emulator/index.js';

/** The consumer sections of an emulator state (what `generateConsumers` writes). */
export interface AccountSections {
  ecs?: StateEcs;
  lambda?: StateLambda;
  batch?: StateBatch;
  apprunner?: StateAppRunner;
}

/** The scan settings that change the bound: rollback revisions per family, newest Lambda versions. */
export interface BoundSettings {
  taskDefinitionRevisions: number;
  lambdaVersions: number;
}

/** The account's size, as the bench prints it. */
export interface AccountSize {
  clusters: number;
  services: number;
  serviceRevisions: number;
  tasks: number;
  stoppedTasks: number;
  activeFamilies: number;
  taskDefinitions: number;
  describedTaskDefinitions: number;
  functions: number;
  imageFunctions: number;
  versions: number;
  aliases: number;
  qualifiers: number;
  jobDefinitions: number;
  appRunnerServices: number;
}

const STOPPED_STATUSES = new Set(['STOPPED', 'STOPPING', 'DEPROVISIONING', 'DEACTIVATING']);

const pages = (n: number, size: number): number => Math.max(1, Math.ceil(n / size));
const batches = (n: number, size: number): number => Math.ceil(n / size);

/**
 * The lower bound of calls per operation (`ecs:ListTasks`, ...) to scan `account` with `settings`,
 * and the account's size; see this module's header for the derivation.
 *
 * @example inUseLowerBound(sections, { taskDefinitionRevisions: 5, lambdaVersions: 5 }).bound['ecs:DescribeTasks']
 */
export function inUseLowerBound(account: AccountSections, settings: BoundSettings): { bound: Record<string, number>; size: AccountSize } {
  const bound: Record<string, number> = {};
  const add = (operation: string, n: number): void => {
    bound[operation] = (bound[operation] ?? 0) + n;
  };
  const size: AccountSize = {
    clusters: 0,
    services: 0,
    serviceRevisions: 0,
    tasks: 0,
    stoppedTasks: 0,
    activeFamilies: 0,
    taskDefinitions: 0,
    describedTaskDefinitions: 0,
    functions: 0,
    imageFunctions: 0,
    versions: 0,
    aliases: 0,
    qualifiers: 0,
    jobDefinitions: 0,
    appRunnerServices: 0,
  };

  // ECS: task definitions first (revisions default to the family's next number, in file order).
  const activeRevisions = new Map<string, number[]>();
  const nextRevision = new Map<string, number>();
  for (const td of account.ecs?.taskDefinitions ?? []) {
    const revision = td.revision ?? nextRevision.get(td.family) ?? 1;
    nextRevision.set(td.family, Math.max(nextRevision.get(td.family) ?? 1, revision + 1));
    size.taskDefinitions += 1;
    if ((td.status ?? 'ACTIVE') !== 'ACTIVE') continue;
    const list = activeRevisions.get(td.family) ?? [];
    list.push(revision);
    activeRevisions.set(td.family, list);
  }
  const described = new Set<string>();
  const clusters = account.ecs?.clusters ?? [];
  size.clusters = clusters.length;
  add('ecs:ListClusters', pages(clusters.length, 100));
  for (const cluster of clusters) {
    const tasks = cluster.tasks ?? [];
    const stopped = tasks.filter((t) => STOPPED_STATUSES.has(t.lastStatus ?? 'RUNNING')).length;
    const running = tasks.length - stopped;
    size.tasks += tasks.length;
    size.stoppedTasks += stopped;
    add('ecs:ListTasks', pages(running, 100) + pages(stopped, 100));
    add('ecs:DescribeTasks', batches(tasks.length, 100));
    const services = cluster.services ?? [];
    let revisions = 0;
    for (const service of services) {
      const deployments = service.deployments ?? (service.taskDefinition === undefined ? [] : [{ taskDefinition: service.taskDefinition }]);
      const live = deployments.filter((d) => (d.status ?? 'PRIMARY') !== 'INACTIVE');
      for (const d of live) described.add(taskDefinitionKey(d.taskDefinition));
      revisions += service.revisions?.length ?? live.length;
    }
    size.services += services.length;
    size.serviceRevisions += revisions;
    add('ecs:ListServices', pages(services.length, 100));
    add('ecs:DescribeServices', batches(services.length, 10));
    add('ecs:DescribeServiceRevisions', batches(revisions, 20));
  }
  if (settings.taskDefinitionRevisions > 0) {
    size.activeFamilies = activeRevisions.size;
    add('ecs:ListTaskDefinitionFamilies', pages(activeRevisions.size, 100));
    add('ecs:ListTaskDefinitions', activeRevisions.size);
    for (const [family, revisions] of activeRevisions) {
      for (const r of [...revisions].sort((a, b) => b - a).slice(0, settings.taskDefinitionRevisions)) described.add(`${family}:${r}`);
    }
  }
  size.describedTaskDefinitions = described.size;
  add('ecs:DescribeTaskDefinition', described.size);

  // Lambda.
  const functions = account.lambda?.functions ?? [];
  size.functions = functions.length;
  add('lambda:ListFunctions', pages(functions.length, 50));
  for (const fn of functions) {
    if ((fn.packageType ?? 'Image') !== 'Image') continue;
    const versions = fn.versions?.length ?? 0;
    const aliases = fn.aliases ?? [];
    size.imageFunctions += 1;
    size.versions += versions;
    size.aliases += aliases.length;
    add('lambda:ListAliases', pages(aliases.length, 50));
    add('lambda:ListVersionsByFunction', pages(versions + 1, 50));
    const qualifiers = new Set<string>(['$LATEST']);
    for (const alias of aliases) {
      qualifiers.add(String(alias.version));
      for (const weighted of Object.keys(alias.additionalVersionWeights ?? {})) qualifiers.add(weighted);
    }
    for (let v = versions; v > Math.max(0, versions - settings.lambdaVersions); v--) qualifiers.add(String(v));
    size.qualifiers += qualifiers.size;
    add('lambda:GetFunction', qualifiers.size);
  }

  // Batch and App Runner.
  const jobs = (account.batch?.jobDefinitions ?? []).filter((j) => (j.status ?? 'ACTIVE') === 'ACTIVE').length;
  size.jobDefinitions = jobs;
  add('batch:DescribeJobDefinitions', pages(jobs, 100));
  const services = (account.apprunner?.services ?? []).filter((s) => s.status !== 'DELETED').length;
  size.appRunnerServices = services;
  add('apprunner:ListServices', 1);
  add('apprunner:DescribeService', services);
  return { bound, size };
}

/** `web:3` or `arn:aws:ecs:…:task-definition/web:3` → `web:3`. */
function taskDefinitionKey(reference: string): string {
  const marker = ':task-definition/';
  const at = reference.indexOf(marker);
  return at >= 0 ? reference.slice(at + marker.length) : reference;
}

/**
 * The least wall time that client-side pacing and emulator rate limits allow, in ms: each paced
 * group's bound calls spread at its rate (the first `burst` free), the slowest group deciding.
 *
 * @example pacingBoundMs([{ calls: 121, perSecond: 12, burst: 1 }]) // 10,000 ms
 */
export function pacingBoundMs(groups: readonly { calls: number; perSecond: number; burst: number }[]): number {
  let worst = 0;
  for (const g of groups) {
    if (!(g.perSecond > 0) || !Number.isFinite(g.perSecond)) continue;
    worst = Math.max(worst, (Math.max(0, g.calls - g.burst) / g.perSecond) * 1000);
  }
  return worst;
}
