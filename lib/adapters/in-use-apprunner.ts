/**
 * The App Runner in-use source: the image each service deploys from a private ECR repository
 * (`SourceConfiguration.ImageRepository.ImageIdentifier`, as written). See docs/in-use.md (App Runner).
 */
import { DescribeServiceCommand, ListServicesCommand, type AppRunnerClient } from '@aws-sdk/client-apprunner';
import type { InUseUsage } from '../core/in-use.js';
import type { InUseScan, InUseSourceReader } from '../engine/types.js';
import { InUseCaller, stopOnFailure, type InUseReaderOptions } from './in-use-calls.js';

export const APPRUNNER_DEFAULT_CONCURRENCY = 4;

/** Reads the in-use images of App Runner in the client's account and Region. */
export class AppRunnerInUseReader implements InUseSourceReader {
  readonly source = 'apprunner' as const;
  readonly label = 'App Runner (services)';

  /** @param client an AppRunnerClient for the registry's account and Region. */
  constructor(
    private readonly client: AppRunnerClient,
    private readonly options: InUseReaderOptions = {},
  ) {}

  /**
   * Lists every service and describes each once.
   *
   * @throws InUseSourceError naming the service whose read failed.
   */
  scan(options: { now: number; signal?: AbortSignal }): Promise<InUseScan> {
    return stopOnFailure(options.signal, async (signal) => {
      const caller = new InUseCaller('apprunner', signal, { ...this.options, defaultConcurrency: APPRUNNER_DEFAULT_CONCURRENCY });
      const services: { name: string; arn: string }[] = [];
      // No MaxResults: App Runner then answers every service in one response (API reference), one
      // call instead of one per 20 services; NextToken is still followed should it page.
      let nextToken: string | undefined;
      do {
        const out = await caller.run({ operation: 'apprunner:ListServices' }, (abortSignal) =>
          this.client.send(new ListServicesCommand(nextToken ? { NextToken: nextToken } : {}), { abortSignal }),
        );
        for (const s of out.ServiceSummaryList ?? []) if (s.ServiceArn) services.push({ name: s.ServiceName ?? s.ServiceArn, arn: s.ServiceArn });
        nextToken = out.NextToken;
      } while (nextToken);
      const usages: InUseUsage[] = [];
      const notes: string[] = [];
      await Promise.all(
        services.map(async ({ name, arn }) => {
          let out;
          try {
            out = await caller.run({ operation: 'apprunner:DescribeService', location: `service ${name}`, passThrough: isNotFound }, (abortSignal) =>
              this.client.send(new DescribeServiceCommand({ ServiceArn: arn }), { abortSignal }),
            );
          } catch (error) {
            if (!isNotFound(error)) throw error;
            notes.push(`App Runner: service ${name} was deleted during the scan`);
            return;
          }
          const repository = out.Service?.SourceConfiguration?.ImageRepository;
          // ECR_PUBLIC images are not this registry's; code repositories have no image.
          if (repository?.ImageRepositoryType === 'ECR' && repository.ImageIdentifier) {
            usages.push({ consumer: `App Runner service ${name}`, source: 'apprunner', reference: repository.ImageIdentifier });
          }
        }),
      );
      return { usages, calls: { ...caller.calls }, ...(notes.length > 0 ? { notes } : {}) };
    });
  }
}

function isNotFound(error: unknown): boolean {
  return (error as { name?: string } | undefined)?.name === 'ResourceNotFoundException';
}
