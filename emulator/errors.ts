/**
 * Errors of the emulator. `EcrApiError` is an answer to a client (it becomes an HTTP error with an
 * ECR exception name); `EmulatorStateError` is a bad state file or option, raised before serving.
 */
import { EcrSweeperError } from '../lib/errors.js';

/** An ECR API error as the wire carries it: exception name, HTTP status and message. */
export class EcrApiError extends EcrSweeperError {
  readonly code: string;
  readonly status: number;
  /** Extra members of the error body, e.g. InvalidLayerPartException's `lastValidByteReceived`. */
  readonly extra: Record<string, unknown>;
  constructor(code: string, message: string, status = 400, options?: ErrorOptions & { extra?: Record<string, unknown> }) {
    super(message, options);
    this.code = code;
    this.status = status;
    this.extra = options?.extra ?? {};
  }
}

/** A state file, generator parameter or start option is invalid; says what and where. */
export class EmulatorStateError extends EcrSweeperError {
  /** Dotted path of the offending value, e.g. `repositories[2].images[5].pushedAt`. */
  readonly path: string;
  constructor(path: string, message: string, options?: ErrorOptions) {
    super(path ? `${path}: ${message}` : message, options);
    this.path = path;
  }
}

/** `InvalidParameterException` with the given message. */
export function invalidParameter(message: string): EcrApiError {
  return new EcrApiError('InvalidParameterException', message);
}

/** `ImageNotFoundException` in ECR's words, for an image id of a call that names one image or a list. */
export function imageNotFound(id: { imageDigest?: string; imageTag?: string }, repositoryName: string, registryId: string): EcrApiError {
  return new EcrApiError(
    'ImageNotFoundException',
    `The image with imageId {imageDigest:'${id.imageDigest ?? 'null'}', imageTag:'${id.imageTag ?? 'null'}'} does not exist within the repository with name '${repositoryName}' in the registry with id '${registryId}'`,
  );
}

/** `RepositoryNotFoundException` in ECR's words. */
export function repositoryNotFound(name: string, registryId: string): EcrApiError {
  return new EcrApiError(
    'RepositoryNotFoundException',
    `The repository with name '${name}' does not exist in the registry with id '${registryId}'`,
  );
}
