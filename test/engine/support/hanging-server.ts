/** A 127.0.0.1 HTTP server that accepts every request and never answers (a hung endpoint). */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HangingServer {
  url: string;
  /** Requests received so far (each attempt of each call). */
  requests: { target: string | undefined; at: number }[];
  close(): Promise<void>;
}

/** Starts the server on an ephemeral port. */
export async function startHangingServer(): Promise<HangingServer> {
  const requests: HangingServer['requests'] = [];
  const server = createServer((req: IncomingMessage) => {
    requests.push({ target: req.headers['x-amz-target'] as string | undefined, at: Date.now() });
    // Read the body so the client's request completes; never write a response.
    req.resume();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Resolves to `value` after `ms`, so a test can race a call that might hang; the timer never holds the process. */
export function after<T>(ms: number, value: T): Promise<T> {
  return new Promise((resolve) => setTimeout(() => resolve(value), ms).unref());
}
