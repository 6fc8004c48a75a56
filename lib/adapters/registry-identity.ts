/**
 * Which registry an ECR client talks to, as the index store keys its memory: the account
 * (registry id), the Region and, for a custom endpoint (an emulator, a proxy), its URL.
 */
import type { ECRClient } from '@aws-sdk/client-ecr';
import type { RegistryIdentity } from '../engine/ports.js';

/** The identity of the registry `client` reaches, whose account is `registryId`. */
export async function registryIdentityOf(client: ECRClient, registryId: string): Promise<RegistryIdentity> {
  const region = await client.config.region();
  const identity: RegistryIdentity = { registryId, region };
  if (client.config.isCustomEndpoint && client.config.endpoint) {
    const e = await client.config.endpoint();
    identity.endpoint = `${e.protocol}//${e.hostname}${e.port !== undefined ? `:${e.port}` : ''}${e.path === '/' ? '' : e.path}`;
  }
  return identity;
}
