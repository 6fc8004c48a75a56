/**
 * "It binds loopback only": the emulator's listening socket, read from the kernel's own table
 * (/proc/net/tcp and tcp6 on Linux, where the project runs), is 127.0.0.1 and nothing else.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../emulator/index.js';

/** Local addresses (as the kernel writes them, hex) of sockets listening on `port`. */
function listeningAddresses(port: number): string[] {
  const portHex = port.toString(16).toUpperCase().padStart(4, '0');
  const found: string[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue; // no IPv6 table on a host without IPv6
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const [address, localPort] = (fields[1] ?? '').split(':');
      // State 0A is LISTEN.
      if (localPort === portHex && fields[3] === '0A' && address !== undefined) found.push(address);
    }
  }
  return found;
}

describe('the emulator socket', () => {
  let emulator: RunningEmulator;
  beforeAll(async () => {
    emulator = await startEmulator({ port: 0 });
  });
  afterAll(async () => {
    await emulator?.stop();
  });

  it('listens on 127.0.0.1 only (not 0.0.0.0, not ::)', () => {
    // 0100007F is 127.0.0.1 in the table's little-endian hex.
    expect(listeningAddresses(emulator.port)).toEqual(['0100007F']);
  });
});
