#!/usr/bin/env node
/**
 * Turns `kubectl get pods,replicasets,deployments,statefulsets,daemonsets,jobs,cronjobs,controllerrevisions
 * -A -o json` into an ecr-sweeper in-use file: `{ generatedAt, source, kind: "Kubernetes", images:
 * [{ image, consumer }] }`, one entry per distinct image reference.
 *
 * Zero dependencies (Node 20+): it runs from a ConfigMap in a stock node image.
 *
 *   node export-in-use.mjs --input k8s.json --output in-use.json --source prod-eks [--generated-at ISO]
 *
 * What counts as in use, per object:
 * - Pod: spec images of containers, init and ephemeral containers, and the runtime's view in
 *   status.(init|ephemeral)containerStatuses[]: `imageID` (the digest the node pulled, which is
 *   what runs after a tag moved on) and `image`;
 * - Deployment, ReplicaSet (those scaled to 0 are the Deployment's rollback history), StatefulSet,
 *   DaemonSet, Job: the pod template; CronJob: the job template's pod template;
 * - ControllerRevision: the pod template kept in `data` (StatefulSet and DaemonSet history).
 *
 * References the runtime writes in CRI forms (`docker-pullable://repo@sha256:…`) are normalised.
 * Strings that are not image references (a bare `sha256:` image ID, a typo a pod is stuck on) name
 * nothing that can be pulled, so they are left out and counted on stderr: an image that cannot be
 * pulled is no image in a registry.
 */
import { readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

// Docker's reference grammar, as ecr-sweeper parses it: [host[:port]/]path[:tag][@digest], where the
// first component is a host only when it has a dot or a port or is localhost.
const PATH = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^(?:sha256:[0-9a-f]{64}|sha512:[0-9a-f]{128})$/;
const HOST = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$/;
const CRI_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//;

/** Which consumer names an image best when several use it: the workloads people deploy first, history last. */
const PRIORITY = ['deployment', 'statefulset', 'daemonset', 'cronjob', 'job', 'pod', 'replicaset', 'controllerrevision'];
/** ecr-sweeper refuses a consumer longer than 512 characters. */
const MAX_CONSUMER = 500;

/**
 * An image reference as ecr-sweeper reads it, or null when the string names nothing pullable.
 *
 * @param {unknown} raw
 * @returns {string | null}
 */
export function normaliseImage(raw) {
  if (typeof raw !== 'string') return null;
  const text = raw.trim().replace(CRI_SCHEME, '');
  // A bare image ID reads as repository `sha256` with a tag, but names no repository anyone pulled from.
  if (text === '' || /^sha(?:256|512):[0-9a-f]+$/.test(text)) return null;
  return isReference(text) ? text : null;
}

/** Whether ecr-sweeper reads `text` as an image reference (a bare `sha256:` image ID is not one). */
function isReference(text) {
  let rest = text;
  const at = rest.indexOf('@');
  if (at >= 0) {
    if (!DIGEST.test(rest.slice(at + 1))) return false;
    rest = rest.slice(0, at);
  }
  const slash = rest.indexOf('/');
  if (slash >= 0) {
    const first = rest.slice(0, slash);
    if (first.includes('.') || first.includes(':') || first.toLowerCase() === 'localhost') {
      const [host, port, ...more] = first.toLowerCase().split(':');
      if (more.length > 0 || !HOST.test(host)) return false;
      if (port !== undefined && !(/^\d{1,5}$/.test(port) && Number(port) >= 1 && Number(port) <= 65535)) return false;
      rest = rest.slice(slash + 1);
    }
  }
  const colon = rest.lastIndexOf(':');
  if (colon >= 0) {
    if (!TAG.test(rest.slice(colon + 1))) return false;
    rest = rest.slice(0, colon);
  }
  return PATH.test(rest);
}

/**
 * The in-use document for a `kubectl get ... -A -o json` List.
 *
 * @param {unknown} list the parsed kubectl output
 * @param {{ source: string, generatedAt: string }} options
 * @returns {{ document: { generatedAt: string, source: string, kind: 'Kubernetes', images: { image: string, consumer: string }[] }, stats: { objects: Record<string, number>, images: number, skipped: string[] } }}
 */
export function exportInUse(list, { source, generatedAt }) {
  if (!list || typeof list !== 'object' || !Array.isArray(list.items)) {
    throw new TypeError('the input is not kubectl JSON output: expected an object with "items" (kubectl get ... -o json)');
  }
  /** @type {Map<string, Set<string>>} */
  const consumers = new Map();
  /** @type {Record<string, number>} */
  const objects = {};
  /** @type {string[]} */
  const skipped = [];
  const add = (raw, consumer) => {
    if (raw === undefined || raw === null || raw === '') return;
    const image = normaliseImage(raw);
    if (image === null) {
      skipped.push(`${String(raw)} (${consumer})`);
      return;
    }
    let set = consumers.get(image);
    if (!set) consumers.set(image, (set = new Set()));
    set.add(consumer);
  };
  const fromPodSpec = (spec, consumer) => {
    if (!spec || typeof spec !== 'object') return;
    for (const field of ['initContainers', 'containers', 'ephemeralContainers']) {
      for (const container of asArray(spec[field])) add(container?.image, consumer);
    }
  };
  const fromStatuses = (status, consumer) => {
    if (!status || typeof status !== 'object') return;
    for (const field of ['initContainerStatuses', 'containerStatuses', 'ephemeralContainerStatuses']) {
      for (const s of asArray(status[field])) {
        add(s?.imageID, consumer);
        add(s?.image, consumer);
      }
    }
  };

  for (const item of list.items) {
    const kind = typeof item?.kind === 'string' ? item.kind : 'Unknown';
    objects[kind] = (objects[kind] ?? 0) + 1;
    const name = `${item?.metadata?.namespace ?? ''}/${item?.metadata?.name ?? '?'}`;
    const owner = controllerOf(item);
    switch (kind) {
      case 'Pod':
        fromPodSpec(item.spec, `pod ${name}`);
        fromStatuses(item.status, `pod ${name}`);
        break;
      case 'Deployment':
      case 'StatefulSet':
      case 'DaemonSet':
      case 'Job':
        fromPodSpec(item.spec?.template?.spec, `${kind.toLowerCase()} ${name}`);
        break;
      case 'ReplicaSet': {
        // A ReplicaSet scaled to 0 under a Deployment is kept for `kubectl rollout undo`.
        const history = owner && item.spec?.replicas === 0 ? ` (rollback history of ${owner.kind.toLowerCase()} ${item.metadata?.namespace}/${owner.name})` : '';
        fromPodSpec(item.spec?.template?.spec, `replicaset ${name}${history}`);
        break;
      }
      case 'CronJob':
        fromPodSpec(item.spec?.jobTemplate?.spec?.template?.spec, `cronjob ${name}`);
        break;
      case 'ControllerRevision': {
        const of = owner ? ` (revision ${item.revision ?? '?'} of ${owner.kind.toLowerCase()} ${item.metadata?.namespace}/${owner.name})` : '';
        fromPodSpec(item.data?.spec?.template?.spec, `controllerrevision ${name}${of}`);
        break;
      }
      default:
        break;
    }
  }

  const images = [...consumers.keys()].sort().map((image) => ({ image, consumer: describeConsumers([...consumers.get(image)]) }));
  return {
    document: { generatedAt, source, kind: 'Kubernetes', images },
    stats: { objects, images: images.length, skipped },
  };
}

/** "deployment shop/web and 3 more": the best-known consumer first. */
function describeConsumers(list) {
  const rank = (c) => {
    const i = PRIORITY.indexOf(c.slice(0, c.indexOf(' ')));
    return i < 0 ? PRIORITY.length : i;
  };
  list.sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
  const text = `${list[0]}${list.length > 1 ? ` and ${list.length - 1} more` : ''}`;
  return text.length > MAX_CONSUMER ? `${text.slice(0, MAX_CONSUMER - 3)}...` : text;
}

function controllerOf(item) {
  const refs = asArray(item?.metadata?.ownerReferences);
  const ref = refs.find((r) => r?.controller) ?? refs[0];
  return ref && typeof ref.kind === 'string' && typeof ref.name === 'string' ? { kind: ref.kind, name: ref.name } : null;
}

function asArray(value) {
  return Array.isArray(value) ? value : [];
}

function main() {
  const { values } = parseArgs({
    options: {
      input: { type: 'string' },
      output: { type: 'string' },
      source: { type: 'string' },
      'generated-at': { type: 'string' },
    },
  });
  const source = values.source?.trim();
  if (!values.input || !values.output || !source) {
    throw new Error('usage: export-in-use.mjs --input k8s.json --output in-use.json --source <cluster name>');
  }
  if (source.length > 256 || /[\u0000-\u001f\u007f]/.test(source)) throw new Error('--source must be a one-line cluster name of at most 256 characters');
  const generatedAt = values['generated-at'] ?? new Date().toISOString();
  const list = JSON.parse(readFileSync(values.input, 'utf8'));
  const { document, stats } = exportInUse(list, { source, generatedAt });
  const text = `${JSON.stringify(document)}\n`;
  writeFileSync(values.output, text);
  const counts = Object.entries(stats.objects).map(([kind, n]) => `${n} ${kind}`).join(', ');
  process.stderr.write(`in-use export ${source}: ${stats.images} images from ${counts || 'no objects'}; ${Buffer.byteLength(text)} bytes\n`);
  if (stats.skipped.length > 0) {
    process.stderr.write(`left out ${stats.skipped.length} strings that are not image references: ${stats.skipped.slice(0, 10).join('; ')}\n`);
  }
  // ecr-sweeper refuses larger files, failing closed; say so here too, where it can be fixed.
  if (Buffer.byteLength(text) > 16 * 1_048_576) process.stderr.write('warning: larger than 16 MiB, the limit ecr-sweeper reads; it will refuse this file\n');
}

// A ConfigMap mounts the script through symlinks, and Node runs the real path: compare real paths.
if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  try {
    main();
  } catch (error) {
    process.stderr.write(`in-use export failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
