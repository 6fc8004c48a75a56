/**
 * The ports of the engine: what it needs from a registry, stated by the engine and implemented by
 * the adapters (`lib/adapters/`), which the drivers (CLI, Lambda handlers, benchmarks) wire in.
 * The engine imports no adapter; the dependency points one way.
 */

/** ECR's cap on `imageIds` in BatchDeleteImage, BatchGetImage and DescribeImages: the engine batches by it. */
export const MAX_IMAGE_IDS_PER_CALL = 100;
