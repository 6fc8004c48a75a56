/**
 * The demo's consumers: what runs on the sample registry, so that `npm start` shows in-use
 * protection. Four images the default rules would delete are in use, one through each way a
 * platform team meets the question "will it delete what is running?":
 * - an ECS service whose deployment pinned a digest that is untagged now (its tag moved on);
 * - an ECS task definition revision (a rollback target) naming a release candidate tag that the
 *   release-candidates rule would expire;
 * - a Lambda function whose alias still points at an old version, built from an old main build;
 * - a Kubernetes cluster, through an in-use file, running a multi-arch index by digest (the index
 *   keeps its children).
 * The images are chosen from the registry by what the rules do with them, so the choice holds
 * for the generated registry whatever its seed; test/cli/demo.test.ts checks each one is kept
 * with its consumer, and would be deleted without it.
 */
import semver from 'semver';
import type { ImageSnapshot, StateFile } from '../../emulator/index.js';

/** What the demo reads of the registry. */
export interface DemoRegistryView {
  readonly registryId: string;
  readonly region: string;
  repositories(): readonly { repositoryName: string }[];
  images(repository: string): readonly ImageSnapshot[];
}

/** One image a demo consumer uses, and who. */
export interface DemoPick {
  repository: string;
  digest: string;
  /** The consumer as reasons name it (without the cluster's task id). */
  consumer: string;
  /** Why the rules alone would delete it. */
  why: string;
}

/** The demo's consumers: emulator state sections, the Kubernetes in-use file, and what each protects. */
export interface DemoConsumers {
  /** `ecs` and `lambda` sections for `emulator.loadState`. */
  state: StateFile;
  /** The Kubernetes cluster's name (the in-use file's `source`). */
  cluster: string;
  /** The in-use file's text as the exporter would write it at `now` (epoch ms). */
  inUseFile(now: number): string;
  picks: { service: DemoPick; rollback: DemoPick; lambda: DemoPick; kubernetes: DemoPick };
}

const DAY = 86_400_000;
/** The Kubernetes cluster of the demo's in-use file. */
export const DEMO_CLUSTER = 'demo-eks';

/**
 * Chooses the demo's consumers in `registry` as the default rules judge it at `now`.
 *
 * @throws Error when the registry has no image fit for one of the four stories (a changed generator).
 */
export function demoConsumers(registry: DemoRegistryView, now: number): DemoConsumers {
  const host = `${registry.registryId}.dkr.ecr.${registry.region}.amazonaws.com`;
  const names = registry.repositories().map((r) => r.repositoryName);
  const topLevel = (repository: string): ImageSnapshot[] => {
    const images = registry.images(repository);
    const children = new Set(images.flatMap((i) => i.childDigests ?? []));
    return images.filter((i) => !children.has(i.imageDigest) && i.subjectManifestDigest === undefined && i.imageStatus === 'ACTIVE');
  };
  const oldest = (images: ImageSnapshot[]): ImageSnapshot[] => [...images].sort((a, b) => a.imagePushedAt - b.imagePushedAt || (a.imageDigest < b.imageDigest ? -1 : 1));
  const only = (image: ImageSnapshot, pattern: RegExp): boolean => image.imageTags.length > 0 && image.imageTags.every((t) => pattern.test(t));
  const find = <T>(what: string, prefer: readonly string[], pick: (repository: string) => T | undefined): { repository: string; found: T } => {
    for (const repository of [...prefer.filter((p) => names.includes(p)), ...names]) {
      const found = pick(repository);
      if (found !== undefined) return { repository, found };
    }
    throw new Error(`demo: the sample registry has no ${what}`);
  };

  // ECS service: the newest main build is what its task definition names; the deployment pinned
  // an older push of that tag, untagged now and past the untagged rule's week.
  const service = find('repository with an untagged image over a week old and a main build', ['payments/api'], (repository) => {
    const images = topLevel(repository);
    const untagged = oldest(images.filter((i) => i.imageTags.length === 0 && now - i.imagePushedAt > 10 * DAY && (i.childDigests ?? []).length === 0));
    const main = oldest(images.filter((i) => only(i, /^main-/))).pop();
    const pinned = untagged[untagged.length - 1];
    return pinned && main ? { pinned, tag: main.imageTags[0] as string } : undefined;
  });

  // Rollback target: the lowest release candidate of a repository with more than the 10 the rule keeps.
  const rollback = find('repository with more than 10 release candidates', ['payments/gateway'], (repository) => {
    const candidates = topLevel(repository)
      .filter((i) => only(i, /^v?\d+\.\d+\.\d+-.+$/))
      .map((i) => ({ image: i, version: i.imageTags.map((t) => semver.parse(t)).find((v) => v !== null) }))
      .filter((c): c is { image: ImageSnapshot; version: semver.SemVer } => c.version !== undefined);
    if (new Set(candidates.map((c) => c.version.version)).size <= 10) return undefined;
    const lowest = candidates.sort((a, b) => semver.compare(a.version, b.version))[0];
    const newest = oldest(topLevel(repository).filter((i) => only(i, /^main-/))).pop();
    return lowest && newest ? { image: lowest.image, tag: lowest.image.imageTags[0] as string, current: newest.imageTags[0] as string } : undefined;
  });

  // Lambda: version 1 of a function is an old main build past the 30 the rule keeps; alias live
  // still points at it while six newer versions were published since.
  const lambda = find('repository with more than 35 main builds', ['payments/frontend'], (repository) => {
    const mains = oldest(topLevel(repository).filter((i) => only(i, /^main-/)));
    if (mains.length <= 35) return undefined;
    return { old: mains[0] as ImageSnapshot, newer: mains.slice(-6).map((i) => i.imageTags[0] as string) };
  });

  // Kubernetes: a multi-arch index tagged for a pull request over two weeks old, which pr-builds would delete.
  const kubernetes = find('multi-arch index of an old pull-request build', ['web/api'], (repository) =>
    oldest(topLevel(repository).filter((i) => (i.childDigests ?? []).length > 0 && only(i, /^pr-/) && now - i.imagePushedAt > 20 * DAY))[0],
  );

  const state: StateFile = {
    repositories: [],
    ecs: {
      taskDefinitions: [
        { family: 'payments-api', revision: 42, containerDefinitions: [{ name: 'app', image: `${service.repository}:${service.found.tag}` }] },
        { family: 'payments-gateway', revision: 7, containerDefinitions: [{ name: 'app', image: `${rollback.repository}:${rollback.found.tag}` }] },
        { family: 'payments-gateway', revision: 8, containerDefinitions: [{ name: 'app', image: `${rollback.repository}:${rollback.found.current}` }] },
      ],
      clusters: [
        {
          name: 'prod',
          services: [
            {
              name: 'payments-api',
              taskDefinition: 'payments-api:42',
              // What ECS resolved the tag to when it deployed: the push before the tag moved on.
              revisions: [{ containerImages: [{ containerName: 'app', image: `${service.repository}:${service.found.tag}`, imageDigest: service.found.pinned.imageDigest }] }],
            },
            { name: 'payments-gateway', taskDefinition: 'payments-gateway:8' },
          ],
          tasks: [
            {
              taskDefinition: 'payments-api:42',
              service: 'payments-api',
              containers: [{ name: 'app', image: `${service.repository}:${service.found.tag}`, imageDigest: service.found.pinned.imageDigest }],
            },
          ],
        },
      ],
    },
    lambda: {
      functions: [
        {
          name: 'resize',
          image: `${lambda.repository}:${lambda.found.newer[lambda.found.newer.length - 1] as string}`,
          versions: [`${lambda.repository}:${lambda.found.old.imageTags[0] as string}`, ...lambda.found.newer.map((tag) => `${lambda.repository}:${tag}`)],
          aliases: [{ name: 'live', version: 1 }],
        },
      ],
    },
  };
  const kubernetesReference = `${host}/${kubernetes.repository}@${kubernetes.found.imageDigest}`;
  return {
    state,
    cluster: DEMO_CLUSTER,
    inUseFile: (at) =>
      `${JSON.stringify({ generatedAt: new Date(at).toISOString(), source: DEMO_CLUSTER, images: [{ image: kubernetesReference, consumer: 'deployment shop/storefront' }] }, null, 2)}\n`,
    picks: {
      service: {
        repository: service.repository,
        digest: service.found.pinned.imageDigest,
        consumer: 'ECS service prod/payments-api (task definition payments-api:42)',
        why: `untagged, pushed ${Math.floor((now - service.found.pinned.imagePushedAt) / DAY)}d ago`,
      },
      rollback: {
        repository: rollback.repository,
        digest: rollback.found.image.imageDigest,
        consumer: 'ECS task definition payments-gateway:7 (rollback target)',
        why: `release candidate ${rollback.found.tag}, below the 10 highest`,
      },
      lambda: {
        repository: lambda.repository,
        digest: lambda.found.old.imageDigest,
        consumer: 'Lambda function resize, alias live',
        why: `main build ${lambda.found.old.imageTags[0] as string}, older than the 30 newest`,
      },
      kubernetes: {
        repository: kubernetes.repository,
        digest: kubernetes.found.imageDigest,
        consumer: `Kubernetes ${DEMO_CLUSTER}, deployment shop/storefront`,
        why: `multi-arch index ${kubernetes.found.imageTags[0] as string}, a pull-request build over two weeks old`,
      },
    },
  };
}
