/**
 * AWS Organizations on the emulator (JSON 1.1, X-Amz-Target `AWSOrganizationsV20161128.<Op>`):
 * ListAccounts, ListRoots, ListOrganizationalUnitsForParent, ListAccountsForParent, ListParents and
 * DescribeOrganization, over an `organization:` state section (accounts with their status and parent
 * OU, an OU tree). As in AWS, the listing operations answer only the management account and the
 * delegated administrators (AccessDeniedException for any other member), a caller outside the
 * organization gets AWSOrganizationsNotInUseException, and pages hold at most 20 entries.
 */
import { EcrApiError, EmulatorStateError } from './errors.js';
import { pageOf } from './operations/consumer-support.js';

/** The X-Amz-Target prefix of every Organizations operation. */
export const ORGANIZATIONS_TARGET_PREFIX = 'AWSOrganizationsV20161128.';

/** Most entries in one page (MaxResults' ceiling in AWS; also the size when it is absent). */
export const ORGANIZATIONS_PAGE_MAX = 20;

/** An account of the `organization` section. */
export interface StateOrganizationAccount {
  id: string;
  name?: string;
  email?: string;
  /** Default ACTIVE. */
  status?: 'ACTIVE' | 'SUSPENDED' | 'PENDING_CLOSURE';
  /** Its parent OU id; absent = directly under the root. */
  parent?: string;
}

/** An organizational unit of the `organization` section. */
export interface StateOrganizationalUnit {
  /** `ou-<root part>-<8+ characters>`, e.g. `ou-emu1-prod0001`. */
  id: string;
  name?: string;
  /** Its parent OU id; absent = under the root. */
  parent?: string;
}

/** The `organization` section of a state file (or `startEmulator({ organization })`). */
export interface StateOrganization {
  /** Default: the emulator's default account (registryId). Always a member, ACTIVE, under the root. */
  managementAccountId?: string;
  /** Accounts registered as delegated administrators: they may list like the management account. */
  delegatedAdministrators?: string[];
  organizationalUnits?: StateOrganizationalUnit[];
  accounts?: StateOrganizationAccount[];
}

interface Member {
  id: string;
  name: string;
  email: string;
  status: string;
  parent: string;
}

const ACCOUNT_RE = /^\d{12}$/;
const OU_RE = /^ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}$/;
const ORG_ID = 'o-emulator01';
const ROOT_ID = 'r-emu1';
const STATUSES = new Set(['ACTIVE', 'SUSPENDED', 'PENDING_CLOSURE']);

/** One organization: its members and OU tree, as loaded; immutable while serving. */
export class Organization {
  readonly managementAccountId: string;
  private readonly admins: Set<string>;
  private readonly members = new Map<string, Member>();
  private readonly ous = new Map<string, { id: string; name: string; parent: string }>();

  /** Validates and loads a section; EmulatorStateError names the first bad entry's path. */
  constructor(section: StateOrganization, defaultAccount: string, path = 'organization') {
    if (typeof section !== 'object' || section === null || Array.isArray(section)) {
      throw new EmulatorStateError(path, 'must be an object with managementAccountId, delegatedAdministrators, organizationalUnits or accounts');
    }
    const known = new Set(['managementAccountId', 'delegatedAdministrators', 'organizationalUnits', 'accounts']);
    for (const k of Object.keys(section)) if (!known.has(k)) throw new EmulatorStateError(`${path}.${k}`, `unknown member; an organization has ${[...known].join(', ')}`);
    this.managementAccountId = section.managementAccountId ?? defaultAccount;
    if (!ACCOUNT_RE.test(this.managementAccountId)) throw new EmulatorStateError(`${path}.managementAccountId`, 'an account id is 12 digits');
    const admins = section.delegatedAdministrators ?? [];
    if (!Array.isArray(admins) || !admins.every((a) => typeof a === 'string' && ACCOUNT_RE.test(a))) {
      throw new EmulatorStateError(`${path}.delegatedAdministrators`, 'must list 12-digit account ids');
    }
    this.admins = new Set(admins);

    const ous = section.organizationalUnits ?? [];
    if (!Array.isArray(ous)) throw new EmulatorStateError(`${path}.organizationalUnits`, 'must be a list');
    ous.forEach((ou, i) => {
      const where = `${path}.organizationalUnits[${i}]`;
      if (typeof ou !== 'object' || ou === null || typeof ou.id !== 'string' || !OU_RE.test(ou.id)) throw new EmulatorStateError(`${where}.id`, 'an OU id looks like "ou-emu1-prod0001"');
      if (this.ous.has(ou.id)) throw new EmulatorStateError(`${where}.id`, `${ou.id} is listed twice`);
      this.ous.set(ou.id, { id: ou.id, name: ou.name ?? ou.id, parent: ou.parent ?? ROOT_ID });
    });
    ous.forEach((ou, i) => {
      if (ou.parent !== undefined && !this.ous.has(ou.parent)) throw new EmulatorStateError(`${path}.organizationalUnits[${i}].parent`, `no OU ${ou.parent} in organizationalUnits`);
    });
    for (const ou of this.ous.values()) {
      // A cycle would make every chain walk forever; AWS's tree cannot have one.
      const seen = new Set<string>();
      for (let at = ou.parent; at !== ROOT_ID; at = this.ous.get(at)?.parent ?? ROOT_ID) {
        if (seen.has(at)) throw new EmulatorStateError(`${path}.organizationalUnits`, `OU ${ou.id} is its own ancestor`);
        seen.add(at);
      }
    }

    const accounts = section.accounts ?? [];
    if (!Array.isArray(accounts)) throw new EmulatorStateError(`${path}.accounts`, 'must be a list');
    accounts.forEach((a, i) => {
      const where = `${path}.accounts[${i}]`;
      if (typeof a !== 'object' || a === null || typeof a.id !== 'string' || !ACCOUNT_RE.test(a.id)) throw new EmulatorStateError(`${where}.id`, 'an account id is 12 digits');
      if (this.members.has(a.id)) throw new EmulatorStateError(`${where}.id`, `account ${a.id} is listed twice`);
      const status = a.status ?? 'ACTIVE';
      if (!STATUSES.has(status)) throw new EmulatorStateError(`${where}.status`, 'must be ACTIVE, SUSPENDED or PENDING_CLOSURE');
      if (a.parent !== undefined && !this.ous.has(a.parent)) throw new EmulatorStateError(`${where}.parent`, `no OU ${a.parent} in organizationalUnits`);
      this.members.set(a.id, { id: a.id, name: a.name ?? `account-${a.id}`, email: a.email ?? `aws+${a.id}@example.com`, status, parent: a.parent ?? ROOT_ID });
    });
    if (!this.members.has(this.managementAccountId)) {
      this.members.set(this.managementAccountId, { id: this.managementAccountId, name: 'management', email: `aws+${this.managementAccountId}@example.com`, status: 'ACTIVE', parent: ROOT_ID });
    }
  }

  /** Answers one operation for a caller of `callerAccount`. */
  call(operation: string, input: Record<string, unknown>, callerAccount: string): unknown {
    if (!this.members.has(callerAccount)) throw new EcrApiError('AWSOrganizationsNotInUseException', 'Your account is not a member of an organization.');
    const arnOf = (kind: string, id: string) => `arn:aws:organizations::${this.managementAccountId}:${kind}/${ORG_ID}/${id}`;
    const account = (m: Member) => ({
      Id: m.id,
      Arn: arnOf('account', m.id),
      Email: m.email,
      Name: m.name,
      Status: m.status,
      // Newer answers carry State (ACTIVE, SUSPENDED, PENDING_CLOSURE, CLOSED) beside the deprecated Status.
      State: m.status,
      JoinedMethod: m.id === this.managementAccountId ? 'CREATED' : 'INVITED',
      JoinedTimestamp: 1_600_000_000,
    });
    if (operation === 'DescribeOrganization') {
      return {
        Organization: {
          Id: ORG_ID,
          Arn: `arn:aws:organizations::${this.managementAccountId}:organization/${ORG_ID}`,
          FeatureSet: 'ALL',
          MasterAccountArn: arnOf('account', this.managementAccountId),
          MasterAccountId: this.managementAccountId,
          MasterAccountEmail: this.members.get(this.managementAccountId)?.email,
          AvailablePolicyTypes: [],
        },
      };
    }
    if (callerAccount !== this.managementAccountId && !this.admins.has(callerAccount)) {
      throw new EcrApiError('AccessDeniedException', "You don't have permissions to access this resource.");
    }
    const size = pageSize(input.MaxResults);
    const invalidToken = () => new EcrApiError('InvalidInputException', 'You provided an invalid value for NextToken.', 400, { extra: { Reason: 'INVALID_NEXT_TOKEN' } });
    const members = () => [...this.members.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
    switch (operation) {
      case 'ListAccounts': {
        const { page, nextToken } = pageOf(members(), (m) => m.id, input.NextToken, size, 'organizations:ListAccounts', invalidToken);
        return { Accounts: page.map(account), ...(nextToken ? { NextToken: nextToken } : {}) };
      }
      case 'ListRoots':
        return { Roots: [{ Id: ROOT_ID, Arn: arnOf('root', ROOT_ID), Name: 'Root', PolicyTypes: [] }] };
      case 'ListOrganizationalUnitsForParent': {
        const parent = this.parentId(input.ParentId);
        const children = [...this.ous.values()].filter((ou) => ou.parent === parent).sort((a, b) => (a.id < b.id ? -1 : 1));
        const { page, nextToken } = pageOf(children, (ou) => ou.id, input.NextToken, size, `organizations:ListOrganizationalUnitsForParent:${parent}`, invalidToken);
        return { OrganizationalUnits: page.map((ou) => ({ Id: ou.id, Arn: arnOf('ou', ou.id), Name: ou.name })), ...(nextToken ? { NextToken: nextToken } : {}) };
      }
      case 'ListAccountsForParent': {
        const parent = this.parentId(input.ParentId);
        const { page, nextToken } = pageOf(members().filter((m) => m.parent === parent), (m) => m.id, input.NextToken, size, `organizations:ListAccountsForParent:${parent}`, invalidToken);
        return { Accounts: page.map(account), ...(nextToken ? { NextToken: nextToken } : {}) };
      }
      case 'ListParents': {
        const child = input.ChildId;
        const parent = typeof child === 'string' ? (this.members.get(child)?.parent ?? this.ous.get(child)?.parent) : undefined;
        if (parent === undefined) throw new EcrApiError('ChildNotFoundException', 'We can\'t find an organizational unit (OU) or AWS account with the ChildId that you specified.');
        return { Parents: [{ Id: parent, Type: parent === ROOT_ID ? 'ROOT' : 'ORGANIZATIONAL_UNIT' }] };
      }
      default:
        throw new EcrApiError('UnknownOperationException', `The emulator does not serve the operation ${operation}`);
    }
  }

  private parentId(value: unknown): string {
    if (typeof value !== 'string' || (value !== ROOT_ID && !this.ous.has(value))) {
      throw new EcrApiError('ParentNotFoundException', 'We can\'t find a root or OU with the ParentId that you specified.');
    }
    return value;
  }
}

/** The Organizations operations the emulator serves (for routing; anything else is UnknownOperationException). */
export const ORGANIZATIONS_OPERATIONS: ReadonlySet<string> = new Set([
  'DescribeOrganization',
  'ListAccounts',
  'ListRoots',
  'ListOrganizationalUnitsForParent',
  'ListAccountsForParent',
  'ListParents',
]);

function pageSize(value: unknown): number {
  if (value === undefined || value === null) return ORGANIZATIONS_PAGE_MAX;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > ORGANIZATIONS_PAGE_MAX) {
    throw new EcrApiError('InvalidInputException', `You provided a value that does not match the required pattern: MaxResults must be 1 to ${ORGANIZATIONS_PAGE_MAX}.`, 400, { extra: { Reason: 'INVALID_INPUT' } });
  }
  return value;
}
