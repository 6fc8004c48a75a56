/**
 * Loads the consumer sections of a state file (`ecs`, `lambda`, `batch`, `apprunner`) into
 * {@link Consumers}, checking them the way the rest of the state file is checked: a bad value
 * throws EmulatorStateError whose message starts with its path, e.g.
 * `ecs.clusters[0].tasks[3].taskDefinition: no task definition web:9 ...`. Repositories load
 * first, so the digests consumers pin are those their tags name in the loaded registry.
 */
import { EmulatorStateError } from '../errors.js';
import { SeededRandom, hashString } from '../random.js';
import type { Registry } from '../registry.js';
import type { StateFile } from '../types.js';
import { ImageNames } from './image-names.js';
import type { BatchJobDefinition, Consumers, EcsCluster, EcsContainerImage, EcsService, EcsTaskDefinition, LambdaVersion } from './model.js';

type Obj = Record<string, unknown>;

const ECS_NAME_RE = /^[A-Za-z0-9_-]{1,255}$/;
const LAMBDA_NAME_RE = /^[A-Za-z0-9_-]{1,64}$/;
const ALIAS_RE = /^(?!^[0-9]+$)[A-Za-z0-9_-]{1,128}$/;
const BATCH_NAME_RE = /^[A-Za-z0-9_-]{1,128}$/;
const APPRUNNER_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_-]{3,39}$/;
const TASK_STATUSES = ['PROVISIONING', 'PENDING', 'ACTIVATING', 'RUNNING', 'DEACTIVATING', 'STOPPING', 'DEPROVISIONING', 'STOPPED'] as const;

/** Adds the consumer sections of `state` (absent sections add nothing). */
export function loadConsumers(state: Pick<StateFile, 'ecs' | 'lambda' | 'batch' | 'apprunner'>, consumers: Consumers, registry: Registry, now: number): void {
  const names = new ImageNames(registry);
  const loader = new Loader(consumers, names, now);
  if (state.ecs !== undefined) loader.ecs(object(state.ecs, 'ecs'));
  if (state.lambda !== undefined) loader.lambda(object(state.lambda, 'lambda'));
  if (state.batch !== undefined) loader.batch(object(state.batch, 'batch'));
  if (state.apprunner !== undefined) loader.apprunner(object(state.apprunner, 'apprunner'));
}

class Loader {
  constructor(
    private readonly c: Consumers,
    private readonly names: ImageNames,
    private readonly now: number,
  ) {}

  ecs(ecs: Obj): void {
    known(ecs, ['clusters', 'taskDefinitions'], 'ecs');
    list(ecs.taskDefinitions, 'ecs.taskDefinitions').forEach((td, i) => this.taskDefinition(object(td, `ecs.taskDefinitions[${i}]`), `ecs.taskDefinitions[${i}]`));
    list(ecs.clusters, 'ecs.clusters').forEach((cl, i) => this.cluster(object(cl, `ecs.clusters[${i}]`), `ecs.clusters[${i}]`));
  }

  private taskDefinition(td: Obj, where: string): void {
    known(td, ['family', 'revision', 'status', 'containerDefinitions'], where);
    const family = name(td.family, ECS_NAME_RE, `${where}.family`, 'a family of 1-255 letters, digits, _ and -');
    let revision: number;
    if (td.revision === undefined) {
      revision = 1;
      while (this.c.ecs.taskDefinitions.has(`${family}:${revision}`)) revision++;
    } else {
      revision = positiveInt(td.revision, `${where}.revision`);
      if (this.c.ecs.taskDefinitions.has(`${family}:${revision}`)) throw new EmulatorStateError(`${where}.revision`, `task definition ${family}:${revision} is already registered`);
    }
    const status = oneOf(td.status, ['ACTIVE', 'INACTIVE', 'DELETE_IN_PROGRESS'] as const, 'ACTIVE', `${where}.status`);
    const defs = list(td.containerDefinitions, `${where}.containerDefinitions`);
    if (defs.length === 0) throw new EmulatorStateError(`${where}.containerDefinitions`, 'a task definition needs at least one container definition');
    const containerDefinitions = defs.map((d, j) => {
      const w = `${where}.containerDefinitions[${j}]`;
      const def = object(d, w);
      known(def, ['name', 'image'], w);
      return { name: optionalString(def.name, `${w}.name`) ?? `container-${j + 1}`, image: this.names.expand(def.image, `${w}.image`) };
    });
    const def: EcsTaskDefinition = {
      family,
      revision,
      arn: this.c.arn('ecs', `task-definition/${family}:${revision}`),
      status,
      containerDefinitions,
      registeredAt: this.now,
    };
    this.c.ecs.taskDefinitions.set(`${family}:${revision}`, def);
  }

  private cluster(cl: Obj, where: string): void {
    known(cl, ['name', 'services', 'tasks'], where);
    const clusterName = name(cl.name, ECS_NAME_RE, `${where}.name`, 'a cluster name of 1-255 letters, digits, _ and -');
    let cluster = this.c.ecs.clusters.get(clusterName);
    if (!cluster) {
      cluster = { name: clusterName, arn: this.c.arn('ecs', `cluster/${clusterName}`), services: new Map(), tasks: new Map() };
      this.c.ecs.clusters.set(clusterName, cluster);
    }
    const target = cluster;
    list(cl.services, `${where}.services`).forEach((s, i) => this.service(target, object(s, `${where}.services[${i}]`), `${where}.services[${i}]`));
    list(cl.tasks, `${where}.tasks`).forEach((t, i) => this.task(target, object(t, `${where}.tasks[${i}]`), `${where}.tasks[${i}]`));
  }

  private service(cluster: EcsCluster, s: Obj, where: string): void {
    known(s, ['name', 'taskDefinition', 'deployments', 'revisions', 'status'], where);
    const serviceName = name(s.name, ECS_NAME_RE, `${where}.name`, 'a service name of 1-255 letters, digits, _ and -');
    if (cluster.services.has(serviceName)) throw new EmulatorStateError(`${where}.name`, `cluster ${cluster.name} already has a service named ${serviceName}`);
    const arn = this.c.arn('ecs', `service/${cluster.name}/${serviceName}`);
    if (s.taskDefinition !== undefined && s.deployments !== undefined) throw new EmulatorStateError(where, 'give either taskDefinition or deployments, not both');
    const given = s.deployments === undefined ? (s.taskDefinition === undefined ? [] : [{ taskDefinition: s.taskDefinition }]) : list(s.deployments, `${where}.deployments`);
    if (given.length === 0) throw new EmulatorStateError(where, 'a service needs a taskDefinition or at least one deployment');
    const deployments = given.map((d, i) => {
      const w = s.deployments === undefined ? where : `${where}.deployments[${i}]`;
      const dep = object(d, w);
      known(dep, ['taskDefinition', 'status'], w);
      const td = this.findTaskDefinition(dep.taskDefinition, `${w}.taskDefinition`);
      const status = oneOf(dep.status, ['PRIMARY', 'ACTIVE', 'INACTIVE'] as const, 'PRIMARY', `${w}.status`);
      return { id: `ecs-svc/${digits(`${arn}/deployment/${i}`, 19)}`, status, taskDefinitionArn: td.arn, createdAt: this.now, td };
    });
    if (deployments.filter((d) => d.status === 'PRIMARY').length !== 1) {
      throw new EmulatorStateError(s.deployments === undefined ? where : `${where}.deployments`, 'a service has exactly one PRIMARY deployment');
    }
    const revisionArns: string[] = [];
    const addRevision = (taskDefinitionArn: string, containerImages: EcsContainerImage[]): void => {
      const revArn = this.c.arn('ecs', `service-revision/${cluster.name}/${serviceName}/${digits(`${arn}/revision/${revisionArns.length}`, 19)}`);
      this.c.ecs.revisions.set(revArn, { arn: revArn, serviceArn: arn, clusterArn: cluster.arn, taskDefinitionArn, containerImages, createdAt: this.now });
      revisionArns.push(revArn);
    };
    if (s.revisions === undefined) {
      for (const d of deployments) if (d.status !== 'INACTIVE') addRevision(d.td.arn, this.pinned(d.td));
    } else {
      const primary = deployments.find((d) => d.status === 'PRIMARY')?.td as EcsTaskDefinition;
      list(s.revisions, `${where}.revisions`).forEach((r, i) => {
        const w = `${where}.revisions[${i}]`;
        const rev = object(r, w);
        known(rev, ['taskDefinition', 'containerImages'], w);
        const td = rev.taskDefinition === undefined ? primary : this.findTaskDefinition(rev.taskDefinition, `${w}.taskDefinition`);
        addRevision(td.arn, this.containers(rev.containerImages, `${w}.containerImages`));
      });
    }
    const service: EcsService = {
      name: serviceName,
      arn,
      status: oneOf(s.status, ['ACTIVE', 'DRAINING', 'INACTIVE'] as const, 'ACTIVE', `${where}.status`),
      deployments: deployments.map(({ id, status, taskDefinitionArn, createdAt }) => ({ id, status, taskDefinitionArn, createdAt })),
      currentRevisionArns: revisionArns,
      createdAt: this.now,
    };
    cluster.services.set(serviceName, service);
  }

  private task(cluster: EcsCluster, t: Obj, where: string): void {
    known(t, ['id', 'taskDefinition', 'lastStatus', 'service', 'containers'], where);
    const td = this.findTaskDefinition(t.taskDefinition, `${where}.taskDefinition`);
    const id = t.id === undefined ? hex(`${cluster.name}/task/${cluster.tasks.size}/${td.arn}`, 32) : name(t.id, /^[A-Za-z0-9-]{1,64}$/, `${where}.id`, 'a task id of letters, digits and -');
    if (cluster.tasks.has(id)) throw new EmulatorStateError(`${where}.id`, `cluster ${cluster.name} already has a task ${id}`);
    const lastStatus = oneOf(t.lastStatus, TASK_STATUSES, 'RUNNING', `${where}.lastStatus`);
    const service = t.service === undefined ? undefined : name(t.service, ECS_NAME_RE, `${where}.service`, 'a service name');
    cluster.tasks.set(id, {
      id,
      arn: this.c.arn('ecs', `task/${cluster.name}/${id}`),
      taskDefinitionArn: td.arn,
      lastStatus,
      desiredStatus: lastStatus === 'STOPPED' || lastStatus === 'STOPPING' || lastStatus === 'DEPROVISIONING' || lastStatus === 'DEACTIVATING' ? 'STOPPED' : 'RUNNING',
      ...(service === undefined ? {} : { group: `service:${service}` }),
      family: td.family,
      containers: t.containers === undefined ? this.pinned(td) : this.containers(t.containers, `${where}.containers`),
      createdAt: this.now,
    });
  }

  /** A task definition's images with the digests their tags name now, as ECS pins them. */
  private pinned(td: EcsTaskDefinition): EcsContainerImage[] {
    return td.containerDefinitions.map((d) => {
      const digest = this.names.digestOf(d.image);
      return digest === undefined ? { name: d.name, image: d.image } : { name: d.name, image: d.image, imageDigest: digest };
    });
  }

  private containers(value: unknown, where: string): EcsContainerImage[] {
    return list(value, where).map((c, j) => {
      const w = `${where}[${j}]`;
      const o = object(c, w);
      known(o, ['name', 'containerName', 'image', 'imageDigest'], w);
      const image = this.names.expand(o.image, `${w}.image`);
      const digest = this.names.digest(o.imageDigest, `${w}.imageDigest`) ?? this.names.digestOf(image);
      const containerName = optionalString(o.name ?? o.containerName, `${w}.name`) ?? `container-${j + 1}`;
      return digest === undefined ? { name: containerName, image } : { name: containerName, image, imageDigest: digest };
    });
  }

  private findTaskDefinition(value: unknown, where: string): EcsTaskDefinition {
    if (typeof value !== 'string') throw new EmulatorStateError(where, `expected "family:revision", got ${JSON.stringify(value)}`);
    const key = value.includes(':task-definition/') ? value.slice(value.indexOf(':task-definition/') + ':task-definition/'.length) : value;
    const td = this.c.ecs.taskDefinitions.get(key);
    if (!td) throw new EmulatorStateError(where, `no task definition ${key} in ecs.taskDefinitions (write "family:revision" of one listed there)`);
    return td;
  }

  lambda(lambda: Obj): void {
    known(lambda, ['functions'], 'lambda');
    list(lambda.functions, 'lambda.functions').forEach((f, i) => this.lambdaFunction(object(f, `lambda.functions[${i}]`), `lambda.functions[${i}]`));
  }

  private lambdaFunction(f: Obj, where: string): void {
    known(f, ['name', 'packageType', 'image', 'imageDigest', 'versions', 'aliases'], where);
    const fnName = name(f.name, LAMBDA_NAME_RE, `${where}.name`, 'a function name of 1-64 letters, digits, _ and -');
    if (this.c.lambda.has(fnName)) throw new EmulatorStateError(`${where}.name`, `a function named ${fnName} is already loaded`);
    const packageType = oneOf(f.packageType, ['Image', 'Zip'] as const, 'Image', `${where}.packageType`);
    const version = (label: string, image: unknown, digest: unknown, w: string): LambdaVersion => {
      if (packageType === 'Zip') {
        if (image !== undefined || digest !== undefined) throw new EmulatorStateError(w, 'a Zip function has no image');
        return { version: label, codeSha256: Buffer.from(hex(`${fnName}:${label}`, 64), 'hex').toString('base64'), lastModified: this.now };
      }
      if (image === undefined) throw new EmulatorStateError(`${w}.image`, 'an Image function needs an image');
      const imageUri = this.names.expand(image, `${w}.image`);
      const resolved = this.names.digest(digest, `${w}.imageDigest`) ?? this.names.digestOf(imageUri);
      if (resolved === undefined) {
        throw new EmulatorStateError(`${w}.image`, `${imageUri} names no image in the emulator's registry; push it first or give imageDigest`);
      }
      return {
        version: label,
        imageUri,
        resolvedImageUri: this.names.resolvedUri(imageUri, resolved),
        codeSha256: resolved.slice('sha256:'.length),
        lastModified: this.now,
      };
    };
    const latest = version('$LATEST', f.image, f.imageDigest, where);
    const versions = list(f.versions, `${where}.versions`).map((v, i) => {
      const w = `${where}.versions[${i}]`;
      if (typeof v === 'string') return version(String(i + 1), v, undefined, w);
      const o = object(v, w);
      known(o, ['image', 'imageDigest'], w);
      return version(String(i + 1), o.image ?? f.image, o.imageDigest, w);
    });
    const exists = (v: string): boolean => v === '$LATEST' || versions.some((x) => x.version === v);
    const aliasNames = new Set<string>();
    const aliases = list(f.aliases, `${where}.aliases`).map((a, i) => {
      const w = `${where}.aliases[${i}]`;
      const o = object(a, w);
      known(o, ['name', 'version', 'additionalVersionWeights'], w);
      const aliasName = name(o.name, ALIAS_RE, `${w}.name`, 'an alias name of letters, digits, _ and - (not only digits)');
      if (aliasNames.has(aliasName)) throw new EmulatorStateError(`${w}.name`, `alias ${aliasName} is given twice`);
      aliasNames.add(aliasName);
      const target = typeof o.version === 'number' ? String(o.version) : o.version;
      if (typeof target !== 'string' || !exists(target)) {
        throw new EmulatorStateError(`${w}.version`, `${JSON.stringify(o.version)} is not a version of ${fnName} ($LATEST or 1-${versions.length})`);
      }
      if (o.additionalVersionWeights === undefined) return { name: aliasName, functionVersion: target };
      const weights = object(o.additionalVersionWeights, `${w}.additionalVersionWeights`);
      for (const [v, weight] of Object.entries(weights)) {
        if (v === '$LATEST' || !exists(v)) throw new EmulatorStateError(`${w}.additionalVersionWeights.${v}`, `not a published version of ${fnName}`);
        if (typeof weight !== 'number' || !(weight >= 0 && weight <= 1)) throw new EmulatorStateError(`${w}.additionalVersionWeights.${v}`, `a weight is between 0 and 1, got ${JSON.stringify(weight)}`);
      }
      return { name: aliasName, functionVersion: target, additionalVersionWeights: weights as Record<string, number> };
    });
    this.c.lambda.set(fnName, { name: fnName, arn: this.c.arn('lambda', `function:${fnName}`), packageType, latest, versions, aliases });
  }

  batch(batch: Obj): void {
    known(batch, ['jobDefinitions'], 'batch');
    list(batch.jobDefinitions, 'batch.jobDefinitions').forEach((j, i) => this.jobDefinition(object(j, `batch.jobDefinitions[${i}]`), `batch.jobDefinitions[${i}]`));
  }

  private jobDefinition(j: Obj, where: string): void {
    known(j, ['name', 'revision', 'status', 'image', 'containerProperties', 'nodeProperties', 'ecsProperties', 'eksProperties'], where);
    const jobName = name(j.name, BATCH_NAME_RE, `${where}.name`, 'a job definition name of 1-128 letters, digits, _ and -');
    let revision: number;
    if (j.revision === undefined) {
      revision = 1;
      while (this.c.batch.has(`${jobName}:${revision}`)) revision++;
    } else {
      revision = positiveInt(j.revision, `${where}.revision`);
      if (this.c.batch.has(`${jobName}:${revision}`)) throw new EmulatorStateError(`${where}.revision`, `job definition ${jobName}:${revision} is already loaded`);
    }
    const kinds = ['image', 'containerProperties', 'nodeProperties', 'ecsProperties', 'eksProperties'].filter((k) => j[k] !== undefined);
    if (kinds.length !== 1) throw new EmulatorStateError(where, `give exactly one of image, containerProperties, nodeProperties, ecsProperties, eksProperties (got ${kinds.length === 0 ? 'none' : kinds.join(', ')})`);
    const containerList = (value: unknown, w: string): { name: string; image: string }[] =>
      list(value, w).map((c, k) => {
        const o = object(c, `${w}[${k}]`);
        return { name: optionalString(o.name, `${w}[${k}].name`) ?? `container-${k + 1}`, image: this.names.expand(o.image, `${w}[${k}].image`) };
      });
    const properties: Obj = {};
    let type: BatchJobDefinition['type'] = 'container';
    if (j.image !== undefined) properties.containerProperties = { image: this.names.expand(j.image, `${where}.image`) };
    if (j.containerProperties !== undefined) {
      const cp = object(j.containerProperties, `${where}.containerProperties`);
      properties.containerProperties = { image: this.names.expand(cp.image, `${where}.containerProperties.image`) };
    }
    if (j.nodeProperties !== undefined) {
      type = 'multinode';
      const w = `${where}.nodeProperties.nodeRangeProperties`;
      const ranges = list(object(j.nodeProperties, `${where}.nodeProperties`).nodeRangeProperties, w).map((r, k) => {
        const o = object(r, `${w}[${k}]`);
        const range: Obj = { targetNodes: optionalString(o.targetNodes, `${w}[${k}].targetNodes`) ?? '0:' };
        if (o.container !== undefined) range.container = { image: this.names.expand(object(o.container, `${w}[${k}].container`).image, `${w}[${k}].container.image`) };
        return range;
      });
      properties.nodeProperties = { numNodes: Math.max(1, ranges.length), mainNode: 0, nodeRangeProperties: ranges };
    }
    if (j.ecsProperties !== undefined) {
      const w = `${where}.ecsProperties.taskProperties`;
      const tasks = list(object(j.ecsProperties, `${where}.ecsProperties`).taskProperties, w).map((t, k) => ({
        containers: containerList(object(t, `${w}[${k}]`).containers, `${w}[${k}].containers`),
      }));
      properties.ecsProperties = { taskProperties: tasks };
    }
    if (j.eksProperties !== undefined) {
      const pod = object(object(j.eksProperties, `${where}.eksProperties`).podProperties, `${where}.eksProperties.podProperties`);
      const w = `${where}.eksProperties.podProperties`;
      const podProperties: Obj = { containers: containerList(pod.containers, `${w}.containers`) };
      if (pod.initContainers !== undefined) podProperties.initContainers = containerList(pod.initContainers, `${w}.initContainers`);
      properties.eksProperties = { podProperties };
    }
    this.c.batch.set(`${jobName}:${revision}`, {
      name: jobName,
      revision,
      arn: this.c.arn('batch', `job-definition/${jobName}:${revision}`),
      status: oneOf(j.status, ['ACTIVE', 'INACTIVE'] as const, 'ACTIVE', `${where}.status`),
      type,
      properties,
    });
  }

  apprunner(apprunner: Obj): void {
    known(apprunner, ['services'], 'apprunner');
    list(apprunner.services, 'apprunner.services').forEach((s, i) => {
      const where = `apprunner.services[${i}]`;
      const o = object(s, where);
      known(o, ['name', 'image', 'status'], where);
      const serviceName = name(o.name, APPRUNNER_NAME_RE, `${where}.name`, 'a service name of 4-40 letters, digits, _ and -, starting with a letter or digit');
      if ([...this.c.apprunner.values()].some((x) => x.name === serviceName)) throw new EmulatorStateError(`${where}.name`, `a service named ${serviceName} is already loaded`);
      const image = this.names.expand(o.image, `${where}.image`);
      const id = hex(`apprunner/${serviceName}`, 32);
      const arn = this.c.arn('apprunner', `service/${serviceName}/${id}`);
      this.c.apprunner.set(arn, {
        name: serviceName,
        id,
        arn,
        imageIdentifier: image,
        imageRepositoryType: image.startsWith('public.ecr.aws/') ? 'ECR_PUBLIC' : 'ECR',
        status: oneOf(o.status, ['CREATE_FAILED', 'RUNNING', 'DELETED', 'DELETE_FAILED', 'PAUSED', 'OPERATION_IN_PROGRESS'] as const, 'RUNNING', `${where}.status`),
        createdAt: this.now,
      });
    });
  }
}

function object(value: unknown, where: string): Obj {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new EmulatorStateError(where, `expected an object, got ${JSON.stringify(value)}`);
  return value as Obj;
}

function list(value: unknown, where: string): unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new EmulatorStateError(where, `expected an array, got ${JSON.stringify(value)}`);
  return value;
}

/** A misspelt key would silently do nothing; refuse it instead. */
function known(o: Obj, keys: readonly string[], where: string): void {
  for (const key of Object.keys(o)) {
    if (!keys.includes(key)) throw new EmulatorStateError(`${where}.${key}`, `unknown field (known: ${keys.join(', ')})`);
  }
}

function name(value: unknown, re: RegExp, where: string, what: string): string {
  if (typeof value !== 'string' || !re.test(value)) throw new EmulatorStateError(where, `expected ${what}, got ${JSON.stringify(value)}`);
  return value;
}

function optionalString(value: unknown, where: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') throw new EmulatorStateError(where, `expected a non-empty string, got ${JSON.stringify(value)}`);
  return value;
}

function positiveInt(value: unknown, where: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) throw new EmulatorStateError(where, `expected a whole number >= 1, got ${JSON.stringify(value)}`);
  return value;
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], fallback: T, where: string): T {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new EmulatorStateError(where, `expected one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
  }
  return value as T;
}

/** Stable lowercase hex for ids, from a key. */
export function hex(key: string, n: number): string {
  return new SeededRandom(hashString(key)).hex(n);
}

/** Stable decimal digits (no leading zero) for ids, from a key. */
export function digits(key: string, n: number): string {
  const rng = new SeededRandom(hashString(key, 7));
  let out = String(rng.int(1, 9));
  while (out.length < n) out += String(rng.int(0, 9));
  return out;
}
