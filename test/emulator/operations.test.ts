import {
  BatchCheckLayerAvailabilityCommand,
  BatchDeleteImageCommand,
  BatchGetImageCommand,
  CompleteLayerUploadCommand,
  DeleteLifecyclePolicyCommand,
  DeleteRepositoryCommand,
  DeleteRepositoryPolicyCommand,
  DescribeImagesCommand,
  GetDownloadUrlForLayerCommand,
  GetLifecyclePolicyCommand,
  GetRepositoryPolicyCommand,
  InitiateLayerUploadCommand,
  ListImageReferrersCommand,
  ListImagesCommand,
  PutImageCommand,
  PutLifecyclePolicyCommand,
  SetRepositoryPolicyCommand,
  UpdateImageStorageClassCommand,
  UploadLayerPartCommand,
  type ECRClient,
} from '@aws-sdk/client-ecr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATIONS } from '../../emulator/operations/index.js';
import { expectEcrError, startFixture, stopFixture, type Fixture } from './support.js';

const DIGEST = `sha256:${'e'.repeat(64)}`;
const UPLOAD = '00000000-0000-4000-8000-000000000000';

/** Every repository-scoped operation with an otherwise valid input. */
const CALLS: [string, (ecr: ECRClient, repositoryName: string) => Promise<unknown>][] = [
  ['BatchCheckLayerAvailability', (ecr, r) => ecr.send(new BatchCheckLayerAvailabilityCommand({ repositoryName: r, layerDigests: [DIGEST] }))],
  ['BatchDeleteImage', (ecr, r) => ecr.send(new BatchDeleteImageCommand({ repositoryName: r, imageIds: [{ imageTag: 'x' }] }))],
  ['BatchGetImage', (ecr, r) => ecr.send(new BatchGetImageCommand({ repositoryName: r, imageIds: [{ imageTag: 'x' }] }))],
  ['CompleteLayerUpload', (ecr, r) => ecr.send(new CompleteLayerUploadCommand({ repositoryName: r, uploadId: UPLOAD, layerDigests: [DIGEST] }))],
  ['DeleteLifecyclePolicy', (ecr, r) => ecr.send(new DeleteLifecyclePolicyCommand({ repositoryName: r }))],
  ['DeleteRepository', (ecr, r) => ecr.send(new DeleteRepositoryCommand({ repositoryName: r }))],
  ['DeleteRepositoryPolicy', (ecr, r) => ecr.send(new DeleteRepositoryPolicyCommand({ repositoryName: r }))],
  ['DescribeImages', (ecr, r) => ecr.send(new DescribeImagesCommand({ repositoryName: r }))],
  ['GetDownloadUrlForLayer', (ecr, r) => ecr.send(new GetDownloadUrlForLayerCommand({ repositoryName: r, layerDigest: DIGEST }))],
  ['GetLifecyclePolicy', (ecr, r) => ecr.send(new GetLifecyclePolicyCommand({ repositoryName: r }))],
  ['GetRepositoryPolicy', (ecr, r) => ecr.send(new GetRepositoryPolicyCommand({ repositoryName: r }))],
  ['InitiateLayerUpload', (ecr, r) => ecr.send(new InitiateLayerUploadCommand({ repositoryName: r }))],
  ['ListImageReferrers', (ecr, r) => ecr.send(new ListImageReferrersCommand({ repositoryName: r, subjectId: { imageDigest: DIGEST } }))],
  ['ListImages', (ecr, r) => ecr.send(new ListImagesCommand({ repositoryName: r }))],
  ['PutImage', (ecr, r) => ecr.send(new PutImageCommand({ repositoryName: r, imageManifest: '{}' }))],
  ['PutLifecyclePolicy', (ecr, r) => ecr.send(new PutLifecyclePolicyCommand({ repositoryName: r, lifecyclePolicyText: `{"rules":[{"rulePriority":1}],"x":"${'y'.repeat(100)}"}` }))],
  ['SetRepositoryPolicy', (ecr, r) => ecr.send(new SetRepositoryPolicyCommand({ repositoryName: r, policyText: '{}' }))],
  ['UpdateImageStorageClass', (ecr, r) => ecr.send(new UpdateImageStorageClassCommand({ repositoryName: r, imageId: { imageTag: 'x' }, targetStorageClass: 'ARCHIVE' }))],
  ['UploadLayerPart', (ecr, r) => ecr.send(new UploadLayerPartCommand({ repositoryName: r, uploadId: UPLOAD, partFirstByte: 0, partLastByte: 0, layerPartBlob: Buffer.from('a') }))],
];

describe('every repository-scoped operation', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await startFixture();
  });
  afterAll(() => stopFixture(f));

  it('is implemented, and the table covers every implemented one but the registry-wide and ARN-addressed ones', () => {
    const registryWide = ['CreateRepository', 'DescribeRepositories', 'GetAuthorizationToken', 'ListPullTimeUpdateExclusions'];
    // These name the repository by ARN (resource-tags.test.ts checks their not-found and validation answers).
    const byArn = ['ListTagsForResource', 'TagResource', 'UntagResource'];
    expect(CALLS.map(([name]) => name).sort()).toEqual(Object.keys(OPERATIONS).filter((op) => !registryWide.includes(op) && !byArn.includes(op)).sort());
    expect(Object.keys(OPERATIONS)).toHaveLength(26);
  });

  it.each(CALLS)('%s answers RepositoryNotFoundException for a missing repository', async (_name, make) => {
    await expectEcrError(
      make(f.ecr, 'no/such-repo'),
      'RepositoryNotFoundException',
      "The repository with name 'no/such-repo' does not exist in the registry with id '123456789012'",
    );
  });

  it.each(CALLS)('%s validates repositoryName before anything else', async (_name, make) => {
    await expectEcrError(
      make(f.ecr, 'Not_Valid'),
      'InvalidParameterException',
      /Value 'Not_Valid' at 'repositoryName' failed to satisfy constraint: Member must satisfy regular expression pattern/,
    );
  });
});
