/**
 * The engine's registry port wired to ECR: each sweep gets its own {@link MeteredEcrClient} (counted,
 * paced by the sweep's rate controller, retried up to its deadline) over the driver's client, and
 * an {@link EcrRegistry} that makes every call through it. The driver's client is not modified.
 */
import type { ECRClient } from '@aws-sdk/client-ecr';
import type { RegistryConnection, RegistryConnector, RegistryPacing } from '../engine/ports.js';
import { MeteredEcrClient } from './ecr-metered-client.js';
import { EcrRegistry } from './ecr-registry.js';
import { registryIdentityOf } from './registry-identity.js';

/**
 * The connector of the ECR registry `client` reaches (its account, Region and endpoint).
 *
 * @example
 * ```ts
 * const clients = createAwsClients({ region: 'eu-west-1' });
 * const { result } = await runSweep({ registry: ecrRegistry(clients.ecr) }, { ruleSet, mode: 'apply' });
 * ```
 */
export function ecrRegistry(client: ECRClient): RegistryConnector {
  return (pacing: RegistryPacing): RegistryConnection => {
    const metered = new MeteredEcrClient(client, pacing.rate, {
      maxInFlight: pacing.maxInFlight,
      clock: pacing.clock,
      ...(pacing.deadline !== undefined ? { deadline: pacing.deadline } : {}),
    });
    return {
      registry: new EcrRegistry(metered.client, pacing.clock),
      stats: () => metered.stats(),
      pause: (operation, attempt, error) => metered.pause(operation, attempt, error),
      // The driver's own client: its configuration (Region, endpoint) is the registry's.
      identity: (registryId) => registryIdentityOf(client, registryId),
    };
  };
}
