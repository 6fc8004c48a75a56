/**
 * The operation table: X-Amz-Target operation name → handler.
 */
import { getAuthorizationToken } from './authorization.js';
import type { Handler } from './context.js';
import { listPullTimeUpdateExclusions } from './exclusions.js';
import { batchDeleteImage, batchGetImage, describeImages, listImageReferrers, listImages, putImage } from './images.js';
import { batchCheckLayerAvailability, completeLayerUpload, getDownloadUrlForLayer, initiateLayerUpload, uploadLayerPart } from './layers.js';
import {
  deleteLifecyclePolicy,
  deleteRepositoryPolicy,
  getLifecyclePolicy,
  getRepositoryPolicy,
  putLifecyclePolicy,
  setRepositoryPolicy,
} from './policies.js';
import { createRepository, deleteRepository, describeRepositories } from './repositories.js';
import { listTagsForResource, tagResource, untagResource } from './resource-tags.js';
import { updateImageStorageClass } from './storage-class.js';

export type { CallContext, Handler } from './context.js';

/** Every operation the emulator implements. */
export const OPERATIONS: Readonly<Record<string, Handler>> = {
  BatchCheckLayerAvailability: batchCheckLayerAvailability,
  BatchDeleteImage: batchDeleteImage,
  BatchGetImage: batchGetImage,
  CompleteLayerUpload: completeLayerUpload,
  CreateRepository: createRepository,
  DeleteLifecyclePolicy: deleteLifecyclePolicy,
  DeleteRepository: deleteRepository,
  DeleteRepositoryPolicy: deleteRepositoryPolicy,
  DescribeImages: describeImages,
  DescribeRepositories: describeRepositories,
  GetAuthorizationToken: getAuthorizationToken,
  GetDownloadUrlForLayer: getDownloadUrlForLayer,
  GetLifecyclePolicy: getLifecyclePolicy,
  GetRepositoryPolicy: getRepositoryPolicy,
  InitiateLayerUpload: initiateLayerUpload,
  ListImageReferrers: listImageReferrers,
  ListImages: listImages,
  ListPullTimeUpdateExclusions: listPullTimeUpdateExclusions,
  ListTagsForResource: listTagsForResource,
  PutImage: putImage,
  PutLifecyclePolicy: putLifecyclePolicy,
  SetRepositoryPolicy: setRepositoryPolicy,
  TagResource: tagResource,
  UntagResource: untagResource,
  UpdateImageStorageClass: updateImageStorageClass,
  UploadLayerPart: uploadLayerPart,
};
