import { spawn, type ChildProcess } from 'node:child_process';
import { InteropServerError } from './errors.js';
import { findFreePort } from './free-port.js';
import { waitForHttp } from './wait-for-http.js';

/** A running moto server; `stop()` kills it and waits for the process to exit. */
export interface MotoServer {
  readonly url: string;
  readonly pid: number | undefined;
  stop(): Promise<void>;
}

/**
 * Starts `python3 -m moto.server` on a free loopback port and resolves once it answers HTTP.
 *
 * moto keeps all state in memory, so each start is a clean account (123456789012).
 */
export async function startMoto(options: { readonly startTimeoutMs?: number; readonly env?: Readonly<Record<string, string>> } = {}): Promise<MotoServer> {
  const port = await findFreePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn('python3', ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    // e.g. MOTO_LAMBDA_STUB_ECR=false: Lambda resolves image URIs against moto's own ECR.
    env: { ...process.env, ...options.env },
  });
  // Keep the tail of moto's output: when it fails to start, that tail is the only useful diagnostic.
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let spawnError: Error | undefined;
  child.once('error', (err) => {
    spawnError = err;
  });

  try {
    await waitForHttp(url, {
      timeoutMs: options.startTimeoutMs ?? 30_000,
      isDead: () => spawnError !== undefined || child.exitCode !== null,
    });
  } catch (err) {
    await kill(child, exited);
    throw new InteropServerError(
      `moto did not start on ${url} (is moto 5.x installed for python3?): ${spawnError?.message ?? ''}\n${output}`,
      { cause: err },
    );
  }
  return { url, pid: child.pid, stop: () => kill(child, exited) };
}

async function kill(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
  await exited;
  clearTimeout(timer);
}
