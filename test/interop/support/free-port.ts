import { createServer } from 'node:net';
import { InteropServerError } from './errors.js';

/**
 * Asks the kernel for a free TCP port on 127.0.0.1 and releases it again.
 *
 * Used for servers (moto) that cannot be told to pick port 0 and report it back. Another process could
 * grab the port between release and reuse; that window is tiny on a test machine and the caller's
 * start-up wait turns it into a clear error rather than a hang.
 */
export async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new InteropServerError('findFreePort: the loopback listener reported no TCP port'));
        return;
      }
      const { port } = address;
      server.close(() => resolve(port));
    });
  });
}
