/**
 * The Regions enabled in a target account, for `regions: all`: EC2 DescribeRegions (AllRegions
 * false: only the Regions the account may use), called with the account's own credentials (its
 * role). A failure is that account's alone: it becomes a failed target naming the account, and
 * the other accounts go on.
 */
import { DescribeRegionsCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { TargetError } from '../engine/errors.js';

/** Reads one account's enabled Regions with an EC2 client signed as that account. */
export class TargetRegions {
  constructor(
    private readonly client: EC2Client,
    private readonly accountId: string,
  ) {}

  /**
   * The enabled Region names, sorted.
   *
   * @example
   * const regions = await new TargetRegions(clients.ec2, '111111111111').enabled();
   * @throws TargetError (no Region) naming the account, with the EC2 or STS error as cause.
   */
  async enabled(): Promise<string[]> {
    try {
      const out = await this.client.send(new DescribeRegionsCommand({ AllRegions: false }));
      const names = (out.Regions ?? []).flatMap((r) => (r.RegionName !== undefined && r.OptInStatus !== 'not-opted-in' ? [r.RegionName] : []));
      return [...new Set(names)].sort();
    } catch (error) {
      const e = error as { name?: unknown; code?: unknown; message?: unknown };
      // A refused role comes through as the credential provider's own TargetError: keep its words, name the step.
      const code = error instanceof TargetError ? error.code : typeof e?.name === 'string' ? e.name : 'Error';
      const reason = typeof e?.message === 'string' ? e.message : String(error);
      const advice = code === 'UnauthorizedOperation' ? ' (the target role needs ec2:DescribeRegions for regions: all)' : '';
      return Promise.reject(
        new TargetError(this.accountId, undefined, code, `account ${this.accountId}: cannot list its enabled Regions (regions: all): ${code}: ${reason}${advice}`, { cause: error }),
      );
    }
  }
}
