/**
 * The Batch in-use source: the images of every ACTIVE job definition (single-container,
 * multi-node, ECS and EKS properties), as written (tag or digest). See docs/in-use.md (Batch).
 */
import { DescribeJobDefinitionsCommand, type BatchClient, type EcsProperties, type EksProperties, type JobDefinition } from '@aws-sdk/client-batch';
import type { InUseUsage } from '../core/in-use.js';
import type { InUseScan, InUseSourceReader } from '../engine/types.js';
import { InUseCaller, stopOnFailure, type InUseReaderOptions } from './in-use-calls.js';

/** Largest page of DescribeJobDefinitions. */
export const BATCH_PAGE_MAX = 100;

/** Every image a job definition names, in every shape of job. */
export function jobDefinitionImages(definition: JobDefinition): string[] {
  const images: (string | undefined)[] = [definition.containerProperties?.image];
  const fromEcs = (ecs: EcsProperties | undefined): void => {
    for (const task of ecs?.taskProperties ?? []) for (const container of task.containers ?? []) images.push(container.image);
  };
  const fromEks = (eks: EksProperties | undefined): void => {
    const pod = eks?.podProperties;
    for (const container of [...(pod?.initContainers ?? []), ...(pod?.containers ?? [])]) images.push(container.image);
  };
  fromEcs(definition.ecsProperties);
  fromEks(definition.eksProperties);
  for (const range of definition.nodeProperties?.nodeRangeProperties ?? []) {
    images.push(range.container?.image);
    fromEcs(range.ecsProperties);
    fromEks(range.eksProperties);
  }
  return [...new Set(images.filter((i): i is string => typeof i === 'string' && i !== ''))];
}

/** Reads the in-use images of AWS Batch in the client's account and Region. */
export class BatchInUseReader implements InUseSourceReader {
  readonly source = 'batch' as const;
  readonly label = 'Batch (ACTIVE job definitions)';

  /** @param client a BatchClient for the registry's account and Region. */
  constructor(
    private readonly client: BatchClient,
    private readonly options: InUseReaderOptions = {},
  ) {}

  /**
   * Pages through the ACTIVE job definitions.
   *
   * @throws InUseSourceError when a page cannot be read.
   */
  scan(options: { now: number; signal?: AbortSignal }): Promise<InUseScan> {
    return stopOnFailure(options.signal, async (signal) => {
      const caller = new InUseCaller('batch', signal, { ...this.options, defaultConcurrency: 1 });
      const usages: InUseUsage[] = [];
      let nextToken: string | undefined;
      do {
        const out = await caller.run({ operation: 'batch:DescribeJobDefinitions', location: 'job definitions' }, (abortSignal) =>
          this.client.send(new DescribeJobDefinitionsCommand({ status: 'ACTIVE', maxResults: BATCH_PAGE_MAX, ...(nextToken ? { nextToken } : {}) }), { abortSignal }),
        );
        for (const definition of out.jobDefinitions ?? []) {
          const consumer = `Batch job definition ${definition.jobDefinitionName ?? '?'}:${definition.revision ?? '?'}`;
          for (const reference of jobDefinitionImages(definition)) usages.push({ consumer, source: 'batch', reference });
        }
        nextToken = out.nextToken;
      } while (nextToken);
      return { usages, calls: { ...caller.calls } };
    });
  }
}
