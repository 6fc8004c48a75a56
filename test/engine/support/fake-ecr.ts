/**
 * A small stateful ECR double on top of aws-sdk-client-mock, for the precise failure sequences
 * the emulator cannot produce on demand (a referenced-by-index failure that clears on retry, an
 * image vanishing between plan and delete, a repository whose deletes always fail...).
 * Hooks let a test intercept BatchDeleteImage and DescribeImages call by call.
 */
import {
  BatchDeleteImageCommand,
  BatchGetImageCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  ImageNotFoundException,
  type ImageDetail,
  type ImageFailure,
} from '@aws-sdk/client-ecr';
import { mockClient } from 'aws-sdk-client-mock';

export interface FakeImage {
  digest: string;
  tags?: string[];
  pushedAt: number;
  pulledAt?: number;
  size?: number;
  mediaType?: string;
  children?: string[];
  /** Makes the image an OCI referrer of this digest. */
  subject?: string;
}

/** Return a value to replace the default answer for one digest; undefined = default behaviour. */
export type DeleteHook = (
  repository: string,
  digest: string,
  call: number,
) => ImageFailure['failureCode'] | 'throw' | 'silent-delete' | 'ignore' | undefined;

export class FakeEcr {
  readonly client = new ECRClient({ region: 'us-east-1', credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'x' } });
  readonly mock = mockClient(this.client);
  readonly repositories = new Map<string, Map<string, FakeImage>>();
  /** Every BatchDeleteImage call: repository and digests, in order. */
  readonly deleteCalls: { repository: string; digests: string[] }[] = [];
  readonly describeByIdCalls: { repository: string; digests: string[] }[] = [];
  deleteHook: DeleteHook | undefined;
  /** Called before a re-read answers; may mutate the state (a concurrent retag). */
  beforeReread: ((repository: string, digests: string[]) => void) | undefined;
  /** Operation -> error to throw on the next N calls. */
  readonly failNext = new Map<string, { error: () => Error; times: number }>();
  /**
   * BatchDeleteImage call number -> true to carry the call out and then lose its answer (the
   * client sees a request timeout, as when a response does not arrive in time).
   */
  loseDeleteAnswer: ((call: number) => boolean) | undefined;
  /** BatchDeleteImage call number -> the SDK attempts its answer reports (`$metadata.attempts`). */
  deleteAttempts: ((call: number) => number) | undefined;

  constructor() {
    this.mock.on(DescribeRepositoriesCommand).callsFake(() => {
      this.maybeFail('DescribeRepositories');
      return { repositories: [...this.repositories.keys()].map((repositoryName) => ({ repositoryName })) };
    });
    this.mock.on(DescribeImagesCommand).callsFake((input: { repositoryName: string; imageIds?: { imageDigest?: string }[]; nextToken?: string; maxResults?: number }) => {
      this.maybeFail('DescribeImages');
      const repo = this.repo(input.repositoryName);
      if (input.imageIds) {
        const digests = input.imageIds.map((i) => i.imageDigest ?? '');
        this.describeByIdCalls.push({ repository: input.repositoryName, digests });
        this.beforeReread?.(input.repositoryName, digests);
        const missing = digests.find((d) => !repo.has(d));
        if (missing) throw new ImageNotFoundException({ message: `image ${missing} not found`, $metadata: {} });
        return { imageDetails: digests.map((d) => detail(input.repositoryName, repo.get(d) as FakeImage)) };
      }
      const all = [...repo.values()];
      const start = input.nextToken ? Number(input.nextToken) : 0;
      const size = input.maxResults ?? 100;
      const page = all.slice(start, start + size);
      const next = start + size < all.length ? String(start + size) : undefined;
      return { imageDetails: page.map((i) => detail(input.repositoryName, i)), ...(next ? { nextToken: next } : {}) };
    });
    this.mock.on(BatchGetImageCommand).callsFake((input: { repositoryName: string; imageIds: { imageDigest?: string }[] }) => {
      this.maybeFail('BatchGetImage');
      const repo = this.repo(input.repositoryName);
      const images = input.imageIds.flatMap((id) => {
        const image = repo.get(id.imageDigest ?? '');
        if (!image?.children) return [];
        const manifest = JSON.stringify({
          schemaVersion: 2,
          mediaType: image.mediaType,
          manifests: image.children.map((digest) => ({ digest, mediaType: 'application/vnd.oci.image.manifest.v1+json', size: 1 })),
        });
        return [{ imageId: { imageDigest: image.digest }, imageManifest: manifest, imageManifestMediaType: image.mediaType }];
      });
      return { images, failures: [] };
    });
    this.mock.on(BatchDeleteImageCommand).callsFake((input: { repositoryName: string; imageIds: { imageDigest?: string }[] }) => {
      this.maybeFail('BatchDeleteImage');
      const repo = this.repo(input.repositoryName);
      const digests = input.imageIds.map((i) => i.imageDigest ?? '');
      this.deleteCalls.push({ repository: input.repositoryName, digests });
      const call = this.deleteCalls.length;
      const imageIds: { imageDigest: string }[] = [];
      const failures: ImageFailure[] = [];
      for (const digest of digests) {
        const hooked = this.deleteHook?.(input.repositoryName, digest, call);
        if (hooked === 'throw') throw serverError();
        // moto deletes untagged images without listing them in imageIds.
        if (hooked === 'silent-delete') {
          repo.delete(digest);
          continue;
        }
        if (hooked === 'ignore') continue;
        if (hooked) {
          failures.push({ imageId: { imageDigest: digest }, failureCode: hooked, failureReason: `${hooked} (injected)` });
          continue;
        }
        if (!repo.has(digest)) {
          failures.push({ imageId: { imageDigest: digest }, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' });
          continue;
        }
        const referenced = [...repo.values()].some((i) => i.children?.includes(digest));
        if (referenced) {
          failures.push({ imageId: { imageDigest: digest }, failureCode: 'ImageReferencedByManifestList', failureReason: 'Requested image referenced by manifest list' });
          continue;
        }
        repo.delete(digest);
        imageIds.push({ imageDigest: digest });
      }
      if (this.loseDeleteAnswer?.(call)) throw timeoutError();
      const attempts = this.deleteAttempts?.(call);
      return { imageIds, failures, ...(attempts === undefined ? {} : { $metadata: { attempts } }) };
    });
  }

  add(repository: string, ...images: FakeImage[]): this {
    const repo = this.repositories.get(repository) ?? new Map<string, FakeImage>();
    for (const image of images) repo.set(image.digest, image);
    this.repositories.set(repository, repo);
    return this;
  }

  digests(repository: string): string[] {
    return [...this.repo(repository).keys()].sort();
  }

  private repo(name: string): Map<string, FakeImage> {
    const repo = this.repositories.get(name);
    if (!repo) {
      const error = new Error(`repository ${name} not found`);
      error.name = 'RepositoryNotFoundException';
      throw error;
    }
    return repo;
  }

  private maybeFail(operation: string): void {
    const entry = this.failNext.get(operation);
    if (entry && entry.times > 0) {
      entry.times -= 1;
      throw entry.error();
    }
  }
}

/** An SDK-shaped ThrottlingException (ECR does not model it; only its name and status matter). */
export function throttlingError(): Error {
  const error = new Error('Rate exceeded') as Error & { $metadata: { httpStatusCode: number } };
  error.name = 'ThrottlingException';
  error.$metadata = { httpStatusCode: 400 };
  return error;
}

/** What the SDK's Node handler throws when a request outlives its request timeout. */
export function timeoutError(): Error {
  const error = new Error('Connection timed out after 1000 ms');
  error.name = 'TimeoutError';
  return error;
}

export function serverError(): Error {
  const error = new Error('injected server error') as Error & { $metadata: { httpStatusCode: number } };
  error.name = 'ServerException';
  error.$metadata = { httpStatusCode: 500 };
  return error;
}

export const INDEX_TYPE = 'application/vnd.oci.image.index.v1+json';
export const MANIFEST_TYPE = 'application/vnd.oci.image.manifest.v1+json';

/** A sha256-shaped digest from a short name, readable in failures. */
export function digestOf(name: string): string {
  return `sha256:${Buffer.from(name).toString('hex').padEnd(64, '0').slice(0, 64)}`;
}

function detail(repositoryName: string, image: FakeImage): ImageDetail {
  const d: ImageDetail = {
    repositoryName,
    imageDigest: image.digest,
    imagePushedAt: new Date(image.pushedAt),
    imageManifestMediaType: image.mediaType ?? MANIFEST_TYPE,
    imageStatus: 'ACTIVE',
  };
  if (image.tags && image.tags.length > 0) d.imageTags = [...image.tags];
  if (image.pulledAt !== undefined) d.lastRecordedPullTime = new Date(image.pulledAt);
  if (image.size !== undefined) d.imageSizeInBytes = image.size;
  if (image.subject !== undefined) d.subjectManifestDigest = image.subject;
  return d;
}
