/**
 * GetAuthorizationToken: a docker-login-shaped token (the emulator serves no Docker registry API).
 */
import { toEpochSeconds } from '../time.js';
import { validateInput } from '../validate.js';
import type { CallContext, Input } from './context.js';

const TWELVE_HOURS_MS = 12 * 3_600_000;

/** GetAuthorizationToken: one token per requested registry id (default: this registry). */
export function getAuthorizationToken(input: Input, ctx: CallContext): unknown {
  validateInput(input, {
    registryIds: { type: 'list', min: 1, max: 10, member: { type: 'string', pattern: /^[0-9]{12}$/, patternText: '[0-9]{12}' } },
  });
  const ids = (input.registryIds as string[] | undefined) ?? [ctx.registry.registryId];
  const expiresAt = toEpochSeconds(ctx.registry.clock.now() + TWELVE_HOURS_MS);
  return {
    authorizationData: ids.map((id) => ({
      authorizationToken: Buffer.from(`AWS:emulator-${ctx.random.hex(32)}`).toString('base64'),
      expiresAt,
      proxyEndpoint: `https://${id}.dkr.ecr.${ctx.registry.region}.amazonaws.com`,
    })),
  };
}
