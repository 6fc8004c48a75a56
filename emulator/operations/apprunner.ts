/**
 * The App Runner read operations the in-use scan makes (JSON 1.0, `AppRunner.*`): ListServices
 * (pages of at most 20; all in one answer when MaxResults is not given, as App Runner documents) and
 * DescribeService, whose `SourceConfiguration.ImageRepository.ImageIdentifier` names the image.
 */
import type { AppRunnerService } from '../consumers/model.js';
import { EcrApiError } from '../errors.js';
import { toEpochSeconds } from '../time.js';
import { byText, pageOf, validateAs, type ConsumerCallContext, type ConsumerHandler } from './consumer-support.js';

const INVALID = 'InvalidRequestException';

function invalidToken(): EcrApiError {
  return new EcrApiError(INVALID, 'Invalid NextToken: it was not returned by this call.');
}

function summary(s: AppRunnerService, ctx: ConsumerCallContext): Record<string, unknown> {
  return {
    ServiceName: s.name,
    ServiceId: s.id,
    ServiceArn: s.arn,
    ServiceUrl: `${s.id.slice(0, 10)}.${ctx.consumers.region}.awsapprunner.com`,
    CreatedAt: toEpochSeconds(s.createdAt),
    UpdatedAt: toEpochSeconds(s.createdAt),
    Status: s.status,
  };
}

const listServices: ConsumerHandler = (input, ctx) => {
  validateAs(INVALID, input, { MaxResults: { type: 'integer', min: 1, max: 20 }, NextToken: { type: 'string', max: 51_200 } });
  const services = [...ctx.consumers.apprunner.values()].filter((s) => s.status !== 'DELETED').sort((a, b) => byText(a.arn, b.arn));
  const size = (input.MaxResults as number | undefined) ?? Math.max(1, services.length);
  const { page, nextToken } = pageOf(services, (s) => s.arn, input.NextToken, size, 'apprunner:ListServices', invalidToken);
  return { ServiceSummaryList: page.map((s) => summary(s, ctx)), ...(nextToken ? { NextToken: nextToken } : {}) };
};

const describeService: ConsumerHandler = (input, ctx) => {
  validateAs(INVALID, input, { ServiceArn: { type: 'string', required: true, min: 1, max: 1011 } });
  const service = ctx.consumers.apprunner.get(input.ServiceArn as string);
  if (!service) throw new EcrApiError('ResourceNotFoundException', `Service not found: ${String(input.ServiceArn)}`);
  return {
    Service: {
      ...summary(service, ctx),
      SourceConfiguration: {
        ImageRepository: { ImageIdentifier: service.imageIdentifier, ImageRepositoryType: service.imageRepositoryType, ImageConfiguration: { Port: '8080' } },
        AutoDeploymentsEnabled: false,
        ...(service.imageRepositoryType === 'ECR' ? { AuthenticationConfiguration: { AccessRoleArn: ctx.consumers.arn('iam', 'role/AppRunnerECRAccessRole').replace(`:${ctx.consumers.region}:`, '::') } } : {}),
      },
      InstanceConfiguration: { Cpu: '1024', Memory: '2048' },
    },
  };
};

/** Every App Runner operation the emulator serves. */
export const APPRUNNER_OPERATIONS: Readonly<Record<string, ConsumerHandler>> = {
  ListServices: listServices,
  DescribeService: describeService,
};
