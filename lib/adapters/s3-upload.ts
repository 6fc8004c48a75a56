/**
 * Uploading a large text to S3 from its pieces, for the Lambda functions' reports: a multipart
 * upload (`@aws-sdk/lib-storage`) fed by a stream of about a MiB of text at a time, so neither the
 * text nor its bytes are ever whole in memory. A text that fits one part goes as one PutObject.
 */
import { Readable } from 'node:stream';
import type { PutObjectCommandInput, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { gatheredPieces } from './chunked-write.js';

/**
 * Bytes per part: S3's minimum (every part but the last must have 5 MiB). lib-storage holds up to
 * about two parts per upload in flight, so a larger part only costs memory; 10,000 parts of 5 MiB
 * still allow an object of 48 GiB, far beyond any report.
 */
export const UPLOAD_PART_SIZE = 5 * 1024 * 1024;

/** Parts in flight at once: two keep the connection busy while the next part is rendered. */
const PARTS_IN_FLIGHT = 2;

/** What is sent with the object (its metadata and encryption); the body is the pieces. */
export type UploadParams = Omit<PutObjectCommandInput, 'Body'>;

/**
 * Uploads the text made of `pieces` (UTF-8) as one object. Every header of `params` (content type,
 * cache control, server-side encryption and KMS key) goes with the single PutObject or with the
 * CreateMultipartUpload, where S3 takes them for the whole object.
 *
 * A failure anywhere (a part, the completion, the pieces themselves throwing) aborts the multipart
 * upload, so no parts are left behind to be billed (`leavePartsOnError: false`), and the error is
 * thrown; the object is then not written, never written in part. A process killed mid-upload
 * cannot abort: the report bucket's lifecycle rule (`AbortIncompleteMultipartUpload`) removes its
 * parts after a day.
 *
 * @example
 * ```ts
 * await uploadPieces(s3, { Bucket: 'reports', Key: 'run/result.csv', ContentType: 'text/csv' }, resultCsvLines(result));
 * ```
 */
export async function uploadPieces(client: S3Client, params: UploadParams, pieces: Iterable<string>): Promise<void> {
  const upload = new Upload({
    client,
    params: { ...params, Body: Readable.from(gatheredPieces(pieces)) },
    partSize: UPLOAD_PART_SIZE,
    queueSize: PARTS_IN_FLIGHT,
    leavePartsOnError: false,
  });
  await upload.done();
}
