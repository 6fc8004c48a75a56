import { STEP_FIELD } from '../support/compare.js';
import { InteropScenarioError } from '../support/errors.js';
import { ABSENT } from '../support/normalise.js';
import { PRESENT, type KnownDeviation } from '../support/verdicts.js';
import { buildFixtures } from './fixtures.js';

/**
 * Where moto 5.2 departs from the ECR API reference in the scripted scenario, judged once, by hand.
 *
 * "2015 ref" is /work/shared/seed/ecr-api-reference-2015-09-21.txt; "facts" is
 * /work/shared/reference/ecr-facts.md (today's API). A difference not listed here fails the run until
 * someone compares it with the reference and either fixes the emulator or adds an entry.
 */
const fx = buildFixtures();
const sizeOf = (label: string): string => {
  const blob = [fx.config, ...fx.layers].find((b) => b.label === label);
  if (blob === undefined) throw new InteropScenarioError(`known-moto-deviations: no fixture blob ${label}`);
  return String(blob.bytes.length);
};
const ERROR_ONLY = [
  ['exit', '255'],
  ['error.message', '<text>'],
] as const;
const NO_ERROR = [
  ['exit', '0'],
  ['error', ABSENT],
  ['error.message', ABSENT],
] as const;

/** The table the interop test judges every emulator/moto difference against. */
export const KNOWN_MOTO_DEVIATIONS: readonly KnownDeviation[] = [
  {
    id: 'moto-no-tag-length-check',
    step: /^tag-resource \(129-character key\)$/,
    fields: [...ERROR_ONLY, ['error', 'InvalidTagParameterException']],
    why: 'API model (facts) TagResource: InvalidTagParameterException, "Tag keys can have a maximum character length of 128 characters"; moto 5.2 stores any key',
  },
  {
    id: 'moto-no-tag-count-check',
    step: /^tag-resource \(51 tags in all\)$/,
    fields: [...ERROR_ONLY, ['error', 'TooManyTagsException']],
    why: 'API model (facts) TagResource: TooManyTagsException, "The maximum number of tags that can be applied to a repository is 50"; moto 5.2 stores any number',
  },
  {
    id: 'moto-keeps-refused-tags',
    step: /^list-tags-for-resource \(after the refused calls\)$/,
    fields: [
      ['tags count', '1'],
      ['tag keys', 'team'],
    ],
    why: 'follows from moto-no-tag-length-check and moto-no-tag-count-check: a refused TagResource changes nothing, so only team=web remains',
  },
  {
    id: 'moto-no-layer-upload',
    step: /^(initiate-layer-upload \(|upload-layer-part \d\/\d|complete-layer-upload \(blob:(config|layer-\d|oci-empty)\))/,
    fields: [
      ...NO_ERROR,
      ['uploadId', '<uuid>'],
      ['partSize', /^[1-9][0-9]*$/],
      ['lastByteReceived', /^[0-9]+$/],
      ['registryId', '<account>'],
      ['repositoryName', 'interop/app'],
      ['layerDigest', /^blob:(config|layer-\d|oci-empty)$/],
    ],
    why: 'moto 5.2 answers HTTP 500 (NotImplementedError) to InitiateLayerUpload/UploadLayerPart/CompleteLayerUpload; 2015 ref documents all three',
  },
  {
    id: 'moto-no-part-order-check',
    step: /upload-layer-part \(first part not at byte 0\)/,
    fields: [...ERROR_ONLY, ['error', 'InvalidLayerPartException']],
    why: '2015 ref UploadLayerPart: InvalidLayerPartException when "the first byte specified is not consecutive to the last byte of a previous layer part upload"',
  },
  {
    id: 'moto-no-layer-digest-check',
    step: /complete-layer-upload \(blob:corrupt, completed with a wrong digest\)/,
    fields: [...ERROR_ONLY, ['error', 'InvalidLayerException']],
    why: '2015 ref CompleteLayerUpload: InvalidLayerException when "the layer digest calculation ... does not match the digest specified"',
  },
  {
    id: 'moto-no-upload-id-check',
    step: /complete-layer-upload \(unknown upload id\)/,
    fields: [...ERROR_ONLY, ['error', 'UploadNotFoundException']],
    why: '2015 ref CompleteLayerUpload: UploadNotFoundException "The upload could not be found, or the specified upload id is not valid"',
  },
  {
    id: 'moto-no-part-size-check',
    step: /complete-layer-upload \(two small parts\)/,
    fields: [...ERROR_ONLY, ['error', 'LayerPartTooSmallException']],
    why: '2015 ref CompleteLayerUpload: LayerPartTooSmallException "Layer parts must be at least 5 MiB in size" (every part but the last)',
  },
  {
    id: 'moto-no-empty-upload-check',
    step: /complete-layer-upload \(no parts\)/,
    fields: [...ERROR_ONLY, ['error', 'EmptyUploadException']],
    why: '2015 ref CompleteLayerUpload: EmptyUploadException "The specified layer upload does not contain any layer parts"',
  },
  {
    id: 'moto-no-existing-layer-check',
    step: /complete-layer-upload \(blob:config, uploaded again\)/,
    fields: [...ERROR_ONLY, ['error', 'LayerAlreadyExistsException']],
    why: '2015 ref CompleteLayerUpload: LayerAlreadyExistsException "The image layer already exists in the associated repository"',
  },
  {
    id: 'moto-no-download-url',
    step: /get-download-url-for-layer \(layer-2, in no image yet\)/,
    fields: [...ERROR_ONLY, ['error', 'LayerInaccessibleException']],
    why: '2015 ref GetDownloadUrlForLayer: LayerInaccessibleException "not available because it is not associated with an image"; moto 5.2 answers HTTP 500',
  },
  {
    id: 'moto-no-download-url',
    step: /get-download-url-for-layer \(never uploaded\)/,
    fields: [...ERROR_ONLY, ['error', 'LayersNotFoundException']],
    why: '2015 ref GetDownloadUrlForLayer: LayersNotFoundException "The specified layers could not be found"; moto 5.2 answers HTTP 500',
  },
  {
    id: 'moto-no-download-url',
    step: /get-download-url-for-layer \(layer-2, in image A\)/,
    fields: [...NO_ERROR, ['downloadUrl', '<url>'], ['layerDigest', 'blob:layer-2']],
    why: '2015 ref GetDownloadUrlForLayer returns downloadUrl and layerDigest for a layer of a pushed image; moto 5.2 answers HTTP 500',
  },
  {
    id: 'moto-no-manifest-validation',
    step: /put-image \(manifest that is not JSON\)/,
    fields: [['error', 'InvalidParameterException'], ['error.message names imageManifest', 'yes']],
    why: '2015 ref PutImage: InvalidParameterException for an invalid parameter (the manifest must be JSON); moto crashes with HTTP 500',
  },
  {
    id: 'moto-drops-image-when-tag-moves',
    step: /describe-images \(p04 and p05 after the tag moved\)/,
    fields: [...NO_ERROR, [/^imageDetails\[manifest:p0[45]\]\./, PRESENT]],
    why: 'moving a tag leaves the old image untagged; only BatchDeleteImage of the last tag deletes an image (facts §6; 2015 ref ListImages: untagged images exist to be cleaned up); moto deletes it',
  },
  {
    id: 'moto-no-layer-availability',
    step: /batch-check-layer-availability/,
    fields: [
      ...NO_ERROR,
      [/^layers\[blob:(config|layer-1)\]\.layerAvailability$/, 'AVAILABLE'],
      ['layers[blob:config].layerDigest', 'blob:config'],
      ['layers[blob:config].layerSize', sizeOf('blob:config')],
      ['layers[blob:layer-1].layerDigest', 'blob:layer-1'],
      ['layers[blob:layer-1].layerSize', sizeOf('blob:layer-1')],
      [/^layers\[blob:(config|layer-1)\]\.mediaType$/, PRESENT],
      ['failures[blob:never-uploaded].layerDigest', 'blob:never-uploaded'],
      ['failures[blob:never-uploaded].failureCode', 'MissingLayerDigest'],
      ['failures[blob:never-uploaded].failureReason', '<text>'],
    ],
    why: 'moto 5.2 answers HTTP 500 to BatchCheckLayerAvailability; 2015 ref: Layer.layerAvailability AVAILABLE, LayerFailure code MissingLayerDigest',
  },
  {
    id: 'moto-digest-not-of-manifest-bytes',
    step: /put-image \((manifest A, tag v1|manifest B, untagged|index of p01 and p02, tag multi|referrer of p03, untagged)\)$/,
    fields: [['image.imageId.imageDigest', /^manifest:(A|B|index|referrer)$/]],
    why: '2015 ref ImageIdentifier.imageDigest is "The sha256 digest of the image manifest"; moto hashes a re-serialised copy, not the bytes sent',
  },
  {
    id: 'moto-digest-not-of-manifest-bytes',
    step: /^put-image x25/,
    fields: [['imageDigest is sha256 of the sent bytes', '25/25']],
    why: '2015 ref ImageIdentifier.imageDigest is "The sha256 digest of the image manifest"; moto hashes a re-serialised copy',
  },
  {
    id: 'moto-no-layer-check-on-put-image',
    step: /put-image \(manifest naming a never-uploaded layer\)/,
    fields: [...ERROR_ONLY, ['error', 'LayersNotFoundException'], [/^image\./, ABSENT]],
    why: '2015 ref PutImage: LayersNotFoundException "The specified layers could not be found"; moto stores the image anyway',
  },
  {
    id: 'moto-no-layer-check-on-put-image',
    step: /batch-delete-image \(tag broken, cleanup\)/,
    fields: [
      ['imageIds', '[]'],
      [/^imageIds\[/, ABSENT],
      ['failures', ABSENT],
      ['failures[tag broken].failureCode', 'ImageNotFound'],
      [/^failures\[tag broken\]\./, PRESENT],
    ],
    why: 'consequence of moto storing the never-uploaded-layer image: there is nothing to clean up when PutImage was refused (2015 ref PutImage)',
  },
  {
    id: 'moto-ignores-tag-status-filter',
    step: /(describe|list)-images \(tagStatus=UNTAGGED\)/,
    fields: [
      [/^imageDetails\[manifest:A\]\./, ABSENT],
      [/^imageIds\[manifest:A v\d\]\./, ABSENT],
    ],
    why: '2015 ref DescribeImagesFilter/ListImagesFilter tagStatus UNTAGGED returns only untagged images; moto ignores the filter',
  },
  {
    id: 'moto-ignores-tag-status-filter',
    step: /list-images \(tagStatus=TAGGED\)/,
    fields: [[/^imageIds\[manifest:B\]\./, ABSENT]],
    why: '2015 ref ListImagesFilter tagStatus TAGGED returns only tagged images; moto ignores the filter',
  },
  {
    id: 'moto-batch-get-image-wrong-tag',
    step: /batch-get-image \(tag v1, missing tag\)/,
    fields: [
      [/^images\[manifest:A v1\]\./, PRESENT],
      [/^images\[manifest:A v2\]\./, ABSENT],
    ],
    why: '2015 ref BatchGetImage: images are "corresponding to the image references in the request" (asked for tag v1); moto answers with tag v2',
  },
  {
    id: 'moto-no-batch-size-limit',
    step: /batch-delete-image \(101 image ids\)/,
    fields: [
      ...ERROR_ONLY,
      ['error', 'InvalidParameterException'],
      ['error.message names imageIds', 'yes'],
      [/ count$|^failure codes$/, ABSENT],
    ],
    why: '2015 ref BatchDeleteImage imageIds "Maximum number of 100 items"; facts §3: InvalidParameterException; moto processes all 101',
  },
  {
    id: 'moto-accepts-imageids-with-maxresults',
    step: /describe-images \(imageIds with maxResults\)/,
    fields: [
      ...ERROR_ONLY,
      ['error', 'InvalidParameterException'],
      ['error.message names maxResults', 'yes'],
      [/^imageDetails/, ABSENT],
    ],
    why: 'facts §3 (API model): DescribeImages imageIds "cannot be combined with maxResults/nextToken"; moto ignores maxResults',
  },
  {
    id: 'moto-no-max-results-range',
    step: /list-images \(maxResults 1001\)/,
    fields: [
      ...ERROR_ONLY,
      ['error', 'InvalidParameterException'],
      ['error.message names maxResults', 'yes'],
      [/^imageIds/, ABSENT],
    ],
    why: 'facts §3: ListImages maxResults 1..1000 (2015 ref: 1..100); moto accepts 1001',
  },
  {
    id: 'moto-describe-images-ignores-max-results',
    step: /describe-images --max-results 10 \(page 1\)/,
    fields: [
      ['imageDetails count', '10'],
      ['nextToken', '<token>'],
    ],
    why: '2015 ref DescribeImages maxResults: "only returns maxResults results in a single page along with a nextToken"; moto returns all 26',
  },
  {
    id: 'moto-describe-images-ignores-max-results',
    step: /describe-images --max-results 10 \(page [23]\)/,
    fields: [[STEP_FIELD, 'ran']],
    why: 'pages 2 and 3 exist only when page 1 honoured maxResults (2015 ref DescribeImages maxResults/nextToken)',
  },
  {
    id: 'moto-list-images-ignores-max-results',
    step: /list-images --max-results 10 \(page 1\)/,
    fields: [
      ['imageIds count', '10'],
      ['nextToken', '<token>'],
    ],
    why: '2015 ref ListImages maxResults: "only returns maxResults results in a single page along with a nextToken"; moto returns all 26',
  },
  {
    id: 'moto-list-images-ignores-max-results',
    step: /list-images --max-results 10 \(page [23]\)/,
    fields: [[STEP_FIELD, 'ran']],
    why: 'pages 2 and 3 exist only when page 1 honoured maxResults (2015 ref ListImages maxResults/nextToken)',
  },
  {
    id: 'moto-deletes-index-children',
    step: /batch-delete-image \(digest of p01, a child of the index\)/,
    fields: [
      ['imageIds', '[]'],
      [/^imageIds\[/, ABSENT],
      ['failures', ABSENT],
      ['failures[manifest:p01].failureCode', 'ImageReferencedByManifestList'],
      [/^failures\[manifest:p01\]\./, PRESENT],
    ],
    why: 'facts §4.2/§6 (API enum): deleting a manifest an index still lists fails per image with ImageReferencedByManifestList; moto deletes it',
  },
  {
    id: 'moto-deletes-index-children',
    step: /batch-delete-image \(digest of p01, no longer referenced\)/,
    fields: [
      ['imageIds', ABSENT],
      [/^imageIds\[manifest:p01 p01\]\./, PRESENT],
      ['failures', '[]'],
      [/^failures\[manifest:p01\]\./, ABSENT],
    ],
    why: 'consequence: the child is still there to delete once its index is gone (facts §6 "Index-first order"); moto already deleted it',
  },
  {
    id: 'moto-no-referrers',
    step: /describe-images \(imageIds: the referrer\)/,
    fields: [
      ['imageDetails[manifest:referrer].subjectManifestDigest', 'manifest:p03'],
      ['imageDetails[manifest:referrer].artifactMediaType', PRESENT],
      ['imageDetails[manifest:referrer].imageSizeInBytes', String(fx.referrer.layerBytes)],
    ],
    why: 'facts §4.1/§4.3: a manifest with an OCI 1.1 subject reports subjectManifestDigest (and artifactMediaType); moto omits both and sizes it by its config',
  },
  {
    id: 'moto-no-referrers',
    step: /list-image-referrers \(subject p03\)/,
    fields: [
      ...NO_ERROR,
      ['referrers[manifest:referrer].digest', 'manifest:referrer'],
      ['referrers[manifest:referrer].mediaType', 'application/vnd.oci.image.manifest.v1+json'],
      ['referrers[manifest:referrer].artifactType', fx.referrerArtifactType],
      ['referrers[manifest:referrer].size', String(Buffer.byteLength(fx.referrer.text))],
      ['referrers[manifest:referrer].artifactStatus', 'ACTIVE'],
    ],
    why: 'facts §4.3: ListImageReferrers lists referrers with digest, mediaType, artifactType, size, artifactStatus; moto 5.2 answers HTTP 500',
  },
  {
    id: 'moto-tag-digest-mismatch-code',
    step: /batch-delete-image \(tag p01 with the digest of manifest B\)/,
    fields: [['failures[manifest:B p01].failureCode', 'ImageTagDoesNotMatchDigest']],
    why: '2015 ref ImageFailure codes include ImageTagDoesNotMatchDigest (facts §6: "tag and digest both given and they disagree"); moto says ImageNotFound',
  },
  // Field-wide entries last: the first entry that matches a difference decides, and the step-specific
  // entries above must win (e.g. a whole image row that a filter should have removed).
  {
    id: 'moto-image-size',
    step: /(describe-images|put-image)/,
    fields: [
      ['imageDetails[manifest:A].imageSizeInBytes', String(fx.manifestA.layerBytes)],
      ['imageDetails[manifest:B].imageSizeInBytes', String(fx.manifestB.layerBytes)],
      // facts §4.1: "If the image is a manifest list, this will be the max size of all manifests in the list."
      ['imageDetails[manifest:index].imageSizeInBytes', String(fx.index.layerBytes)],
    ],
    why: 'ImageDetail.imageSizeInBytes is the compressed size of the image, i.e. the sum of its layers (2015 ref ImageDetail; facts §4.1); moto reports the config blob\'s size instead',
  },
  {
    id: 'moto-no-pull-time',
    step: /describe-images/,
    fields: [[/^imageDetails\[manifest:A\]\.lastRecordedPullTime$/, '<epoch-seconds>']],
    why: 'facts §4.1: BatchGetImage is the pull call and ECR records lastRecordedPullTime; moto never sets it',
  },
  {
    id: 'moto-no-artifact-media-type',
    step: /describe-images/,
    fields: [[/^imageDetails\[[^\]]+\]\.artifactMediaType$/, 'application/vnd.docker.container.image.v1+json']],
    why: 'facts §4.1: ImageDetail.artifactMediaType (today\'s API; ECR reports the config media type of a Docker image); moto omits it',
  },
  {
    id: 'moto-no-image-status',
    step: /describe-images/,
    fields: [[/^imageDetails\[[^\]]+\]\.imageStatus$/, 'ACTIVE']],
    why: 'facts §4.1: ImageDetail.imageStatus ACTIVE|ARCHIVED|ACTIVATING (today\'s API); moto omits it',
  },
];
