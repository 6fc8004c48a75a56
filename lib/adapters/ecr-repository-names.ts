/**
 * The repository names of one registry (DescribeRepositories, every page), for the organization
 * state machine's Start, which cuts each target's repositories into shards before anything is planned.
 */
import { paginateDescribeRepositories, type ECRClient } from '@aws-sdk/client-ecr';

/**
 * Every repository name of the registry `ecr` reaches, in the order ECR lists them. An ECR error
 * (access denied, a role that cannot be assumed, a Region not enabled) is thrown as it is: the
 * caller names the target.
 *
 * @example
 * const names = await listRepositoryNames(targetClients(target, settings, runId).ecr);
 */
export async function listRepositoryNames(ecr: ECRClient): Promise<string[]> {
  const names: string[] = [];
  for await (const page of paginateDescribeRepositories({ client: ecr }, {})) {
    for (const r of page.repositories ?? []) if (r.repositoryName) names.push(r.repositoryName);
  }
  return names;
}
