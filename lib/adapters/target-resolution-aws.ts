/**
 * The AWS side of target resolution: the ports of `resolveTargets` (lib/engine/targets-resolve.ts)
 * wired to STS (who the caller is), Organizations (the accounts) and EC2 (each `regions: all`
 * account's enabled Regions, read through that account's role). Every client follows the run's
 * settings (endpoint, profile, timeouts), so the emulator and moto serve resolution too.
 */
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { ConfigError } from '../errors.js';
import { createAwsClients, targetClients, type AwsClients, type AwsClientSettings } from './aws-clients.js';
import type { TargetResolutionDeps } from '../engine/targets-resolve.js';
import { OrganizationAccounts } from './organization-accounts.js';
import { TargetRegions } from './target-regions.js';

/**
 * The resolution ports over AWS. `destroy()` closes the clients built for it.
 *
 * @example
 * const deps = awsTargetResolution({ region: 'eu-west-1' }, runId);
 * try { const { targets, failed } = await resolveTargets(ruleSet, deps); } finally { deps.destroy(); }
 */
export function awsTargetResolution(settings: AwsClientSettings, runId: string): TargetResolutionDeps & { destroy(): void } {
  const base: AwsClients = createAwsClients(settings);
  return {
    async home() {
      const region = await base.sts.config.region().catch(() => undefined);
      if (region === undefined || region === '') {
        throw new ConfigError('no AWS Region: give --region, or set AWS_REGION (the home Region of the run, and of role ARNs\' partition)');
      }
      const identity = await base.sts.send(new GetCallerIdentityCommand({}));
      if (identity.Account === undefined) throw new ConfigError('STS GetCallerIdentity answered without an account');
      return { accountId: identity.Account, region };
    },
    organizationAccounts: (options) => new OrganizationAccounts(base.organizations).list(options),
    async enabledRegions(account, home) {
      if (account.roleArn === undefined) return new TargetRegions(base.ec2, account.accountId).enabled();
      const clients = targetClients(
        { accountId: account.accountId, region: home.region, roleArn: account.roleArn, ...(account.externalId !== undefined ? { externalId: account.externalId } : {}) },
        settings,
        runId,
      );
      try {
        return await new TargetRegions(clients.ec2, account.accountId).enabled();
      } finally {
        clients.destroy();
      }
    },
    destroy: () => base.destroy(),
  };
}
