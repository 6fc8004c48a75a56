import { setTimeout as sleep } from 'node:timers/promises';
import { InteropServerError } from './errors.js';

/**
 * Polls `url` until any HTTP response arrives (any status counts: the server is up).
 *
 * @param isDead - lets the caller stop waiting as soon as the server process has exited.
 */
export async function waitForHttp(
  url: string,
  options: { readonly timeoutMs: number; readonly isDead?: () => boolean },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (options.isDead?.()) throw new InteropServerError(`the server for ${url} exited before it answered`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
      await response.body?.cancel();
      return;
    } catch (err) {
      lastError = err;
    }
    await sleep(100);
  }
  throw new InteropServerError(`no HTTP answer from ${url} within ${options.timeoutMs} ms`, { cause: lastError });
}
