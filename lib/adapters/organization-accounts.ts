/**
 * The accounts of an AWS Organization, for `organization:` runs: ListAccounts (every page), and,
 * when the rules filter by OU, the OU tree (ListRoots, then ListOrganizationalUnitsForParent and
 * ListAccountsForParent from each root down) so each account knows every OU above it: an account in
 * a child OU of an included OU is included. Throttling is retried by the SDK (adaptive mode);
 * anything else fails the whole run with an `OrganizationAccessError`, since without the account
 * list no target is known.
 */
import {
  paginateListAccounts,
  paginateListAccountsForParent,
  paginateListOrganizationalUnitsForParent,
  ListRootsCommand,
  type OrganizationsClient,
} from '@aws-sdk/client-organizations';
import type { OrganizationAccount } from '../core/targets.js';
import { OrganizationAccessError } from '../engine/errors.js';

/** Most OUs walked: AWS allows 1,000 per organization (a loop in a faulty answer must not run forever). */
const MAX_OUS = 1000;

/** Reads an organization's accounts with one Organizations client (of the management or a delegated administrator account). */
export class OrganizationAccounts {
  constructor(private readonly client: OrganizationsClient) {}

  /**
   * Every account with its status; with `ouChains`, also the OUs above it, nearest first.
   *
   * @example
   * const accounts = await new OrganizationAccounts(new OrganizationsClient({ region: 'us-east-1' })).list({ ouChains: true });
   * @throws OrganizationAccessError naming the operation and what to do (run in the management or a delegated administrator account).
   */
  async list(options: { ouChains: boolean }): Promise<OrganizationAccount[]> {
    const accounts = new Map<string, OrganizationAccount>();
    await this.call('ListAccounts', async () => {
      for await (const page of paginateListAccounts({ client: this.client }, {})) {
        for (const a of page.Accounts ?? []) {
          if (a.Id === undefined) continue;
          // State is the newer field (it knows CLOSED); Status the deprecated one.
          accounts.set(a.Id, { id: a.Id, status: String(a.State ?? a.Status ?? 'UNKNOWN'), ous: [], ...(a.Name !== undefined ? { name: a.Name } : {}) });
        }
      }
    });
    if (!options.ouChains) return [...accounts.values()];

    const chains = await this.ouChains();
    return [...accounts.values()].map((a) => ({ ...a, ous: chains.get(a.id) ?? [] }));
  }

  /** Account id → the OUs above it, nearest first, walking each root's tree breadth first. */
  private async ouChains(): Promise<Map<string, string[]>> {
    const roots = await this.call('ListRoots', async () => (await this.client.send(new ListRootsCommand({}))).Roots ?? []);
    const chains = new Map<string, string[]>();
    const queue: { id: string; chain: string[] }[] = roots.flatMap((r) => (r.Id !== undefined ? [{ id: r.Id, chain: [] }] : []));
    let walked = 0;
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      const { id, chain } = next;
      await this.call('ListAccountsForParent', async () => {
        for await (const page of paginateListAccountsForParent({ client: this.client }, { ParentId: id })) {
          for (const a of page.Accounts ?? []) if (a.Id !== undefined) chains.set(a.Id, chain);
        }
      });
      await this.call('ListOrganizationalUnitsForParent', async () => {
        for await (const page of paginateListOrganizationalUnitsForParent({ client: this.client }, { ParentId: id })) {
          for (const ou of page.OrganizationalUnits ?? []) {
            if (ou.Id === undefined) continue;
            if (++walked > MAX_OUS) throw new OrganizationAccessError('TooManyOrganizationalUnits', `more than ${MAX_OUS} OUs under the organization's roots; AWS allows ${MAX_OUS}`);
            queue.push({ id: ou.Id, chain: [ou.Id, ...chain] });
          }
        }
      });
    }
    return chains;
  }

  private async call<T>(operation: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof OrganizationAccessError) throw error;
      throw organizationError(operation, error);
    }
  }
}

function organizationError(operation: string, error: unknown): OrganizationAccessError {
  const e = error as { name?: unknown; message?: unknown };
  const code = typeof e?.name === 'string' ? e.name : 'Error';
  const reason = typeof e?.message === 'string' ? e.message : String(error);
  const advice =
    code === 'AccessDeniedException'
      ? '; an organization: run must be in the organization\'s management account or a delegated administrator account, with organizations:ListAccounts (and, for OU filters, ListRoots, ListOrganizationalUnitsForParent, ListAccountsForParent) allowed — or list the accounts under targets: instead'
      : code === 'AWSOrganizationsNotInUseException'
        ? '; the caller\'s account is in no AWS Organization: list the accounts under targets: instead'
        : '';
  return new OrganizationAccessError(code, `AWS Organizations ${operation} failed: ${code}: ${reason}${advice}; nothing was swept`, { cause: error });
}
