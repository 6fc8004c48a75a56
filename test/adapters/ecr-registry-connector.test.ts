/**
 * ecrRegistry(client), the ECR adapter of the engine's Registry port, on the emulator through the
 * real SDK over HTTP: each connection meters its own calls (and only its own), names the registry
 * the client reaches, and pauses a failed delete as the engine's retry policy says.
 */
import { DescribeRepositoriesCommand } from '@aws-sdk/client-ecr';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ecrRegistry } from '../../lib/adapters/ecr-registry-connector.js';
import { DeadlineReachedError } from '../../lib/engine/errors.js';
import { RateController } from '../../lib/engine/rate-controller.js';
import { startFixture, type EmulatorFixture } from '../engine/support/emulator.js';

const NOW = Date.parse('2026-06-01T00:00:00Z');
const throttle = (): Error => Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });

let fixture: EmulatorFixture;
beforeEach(async () => {
  fixture = await startFixture({ now: NOW });
  fixture.emulator.createRepository('team/app');
  fixture.emulator.createRepository('team/web');
});
afterEach(async () => {
  await fixture.emulator.stop();
});

const pacing = (extra: { deadline?: number; clock?: () => number } = {}) => ({ rate: new RateController({}), maxInFlight: 2, clock: extra.clock ?? Date.now, ...extra });

describe('ecrRegistry', () => {
  it('lists through a metered client: each connection counts its own calls, never the driver client', async () => {
    const connect = ecrRegistry(fixture.ecr);
    const first = connect(pacing());
    const second = connect(pacing());
    expect((await first.registry.listRepositories()).map((r) => r.name).sort()).toEqual(['team/app', 'team/web']);
    await first.registry.listImages('team/app');
    await fixture.ecr.send(new DescribeRepositoriesCommand({}));
    expect(first.stats()).toEqual({ apiCalls: { DescribeRepositories: 1, DescribeImages: 1 }, retries: 0, throttles: 0 });
    expect(second.stats()).toEqual({ apiCalls: {}, retries: 0, throttles: 0 });
    expect(first.registry.registryId).toBe('123456789012');
    expect(second.registry.registryId).toBeUndefined();
  });

  it('names the registry by account, the client Region and its custom endpoint', async () => {
    const connection = ecrRegistry(fixture.ecr)(pacing());
    expect(await connection.identity('123456789012')).toEqual({ registryId: '123456789012', region: 'us-east-1', endpoint: fixture.emulator.url });
  });

  it('pauses a retryable failure, and refuses a final one, a spent budget or a deadline', async () => {
    let clock = NOW;
    const connection = ecrRegistry(fixture.ecr)(pacing({ clock: () => clock, deadline: NOW + 60_000 }));
    const denied = Object.assign(new Error('not allowed'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } });
    await expect(connection.pause('BatchDeleteImage', 1, denied)).rejects.toBe(denied);
    await expect(connection.pause('BatchDeleteImage', 8, throttle())).rejects.toMatchObject({ name: 'ThrottlingException' });
    await expect(connection.pause('BatchDeleteImage', 1, throttle())).resolves.toBeUndefined();
    expect(connection.stats().retries).toBe(1);
    clock = NOW + 60_000;
    await expect(connection.pause('BatchDeleteImage', 2, throttle())).rejects.toBeInstanceOf(DeadlineReachedError);
  });
});
