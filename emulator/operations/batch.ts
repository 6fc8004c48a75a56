/**
 * The AWS Batch read operation the in-use scan makes: DescribeJobDefinitions (REST-JSON, `POST
 * /v1/describejobdefinitions`), with Batch's 100-item pages, status filter and ClientException.
 */
import type { BatchJobDefinition } from '../consumers/model.js';
import { EcrApiError } from '../errors.js';
import { byText, pageOf, validateAs, type ConsumerHandler } from './consumer-support.js';

const INVALID = 'ClientException';

function invalidToken(): EcrApiError {
  return new EcrApiError(INVALID, 'Invalid nextToken: it was not returned by this call.');
}

const describeJobDefinitions: ConsumerHandler = (input, ctx) => {
  validateAs(INVALID, input, {
    jobDefinitions: { type: 'list', max: 100, member: { type: 'string' } },
    maxResults: { type: 'integer', min: 1, max: 100 },
    jobDefinitionName: { type: 'string' },
    status: { type: 'string' },
    nextToken: { type: 'string' },
  });
  const wanted = input.jobDefinitions as string[] | undefined;
  if (wanted !== undefined && (input.maxResults !== undefined || input.nextToken !== undefined)) {
    throw new EcrApiError(INVALID, 'jobDefinitions cannot be combined with maxResults or nextToken.');
  }
  const matches = (jd: BatchJobDefinition): boolean => {
    if (input.status !== undefined && jd.status !== input.status) return false;
    if (input.jobDefinitionName !== undefined && jd.name !== input.jobDefinitionName) return false;
    // An entry is `name:revision`, an ARN, or a bare name (every revision of it).
    if (wanted !== undefined) return wanted.some((w) => w === jd.arn || w === `${jd.name}:${jd.revision}` || w === jd.name);
    return true;
  };
  const defs = [...ctx.consumers.batch.values()].filter(matches).sort((a, b) => byText(a.name, b.name) || a.revision - b.revision);
  const scope = `batch:DescribeJobDefinitions:${String(input.status ?? '')}:${String(input.jobDefinitionName ?? '')}`;
  const size = wanted === undefined ? ((input.maxResults as number | undefined) ?? 100) : defs.length;
  const { page, nextToken } = pageOf(defs, (jd) => jd.arn, input.nextToken, Math.max(1, size), scope, invalidToken);
  return {
    jobDefinitions: page.map((jd) => ({
      jobDefinitionName: jd.name,
      jobDefinitionArn: jd.arn,
      revision: jd.revision,
      status: jd.status,
      type: jd.type,
      ...jd.properties,
      platformCapabilities: jd.properties.eksProperties === undefined ? ['EC2'] : [],
      containerOrchestrationType: jd.properties.eksProperties === undefined ? 'ECS' : 'EKS',
      tags: {},
    })),
    ...(nextToken ? { nextToken } : {}),
  };
};

/** Batch operations by request path (REST-JSON, POST). */
export const BATCH_ROUTES: Readonly<Record<string, { operation: string; handler: ConsumerHandler }>> = {
  '/v1/describejobdefinitions': { operation: 'DescribeJobDefinitions', handler: describeJobDefinitions },
};
