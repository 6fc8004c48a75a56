/**
 * The in-use files S3 suite (the one the unit tests run against s3rver) against moto's S3, which
 * also continues listings, so the reader's pagination runs through the real SDK too.
 */
import { describeS3InUseFiles } from '../adapters/in-use-files-s3-suite.js';
import { s3ClientFor } from '../reports/helpers/s3rver-server.js';
import { startMoto } from './support/moto-server.js';

describeS3InUseFiles('moto', async () => {
  const moto = await startMoto();
  const client = s3ClientFor(moto.url);
  return {
    client,
    paginates: true,
    stop: async () => {
      client.destroy();
      await moto.stop();
    },
  };
});
