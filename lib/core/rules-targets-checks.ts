/**
 * Checks of `targets:` and `organization:` that involve more than one value: the two blocks
 * together, roleName with roleArn, a role ARN of another account, the same account and Region
 * listed twice, an id both included and excluded. Each names every location involved, so the
 * reader finds both lines. Values of the wrong type are the schema's to report.
 */
import { ROLE_ARN_PATTERN } from './rules-targets-schema.js';
import { formatPath, type IssuePath } from './rules-source.js';

type Raw = Record<string, unknown>;
const isObj = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);

type Add = (path: IssuePath, message: string, options?: { key?: boolean }) => void;
type Locate = (path: IssuePath, options?: { key?: boolean }) => { line: number; column: number };

/** Runs the cross-field checks of the targets blocks on a parsed (not yet validated) rules document. */
export function checkTargetsDocument(doc: unknown, add: Add, locate: Locate): void {
  if (!isObj(doc)) return;
  const where = (path: IssuePath, key = false) => `${formatPath(path)} (line ${locate(path, { key }).line})`;
  if (doc.targets !== undefined && doc.organization !== undefined) {
    add(
      ['organization'],
      `targets and organization cannot both be given: ${where(['targets'], true)} lists the targets, ${where(['organization'], true)} takes them from the organization; keep one`,
      { key: true },
    );
  }
  if (Array.isArray(doc.targets)) checkTargetList(doc.targets, add, where);
  if (isObj(doc.organization)) checkOrganization(doc.organization, add, where);
}

function checkTargetList(targets: unknown[], add: Add, where: (path: IssuePath, key?: boolean) => string): void {
  // account -> Region (or 'all') -> where it was first listed
  const seen = new Map<string, Map<string, IssuePath>>();
  targets.forEach((target, t) => {
    if (!isObj(target)) return;
    const at = (...rest: IssuePath): IssuePath => ['targets', t, ...rest];
    if (target.roleName !== undefined && target.roleArn !== undefined) {
      add(at('roleArn'), 'give roleName or roleArn, not both', { key: true });
    }
    const accountId = typeof target.accountId === 'string' ? target.accountId : undefined;
    if (typeof target.roleArn === 'string' && accountId !== undefined) {
      const arnAccount = ROLE_ARN_PATTERN.exec(target.roleArn)?.[2];
      if (arnAccount !== undefined && arnAccount !== accountId) {
        add(at('roleArn'), `the role ARN is in account ${arnAccount}, but accountId is ${accountId}: the target's role must be in the target's account`);
      }
    }
    if (accountId === undefined) return;
    const regions: [string, IssuePath][] =
      target.regions === 'all'
        ? [['all', at('regions')]]
        : Array.isArray(target.regions)
          ? target.regions.flatMap((r, i): [string, IssuePath][] => (typeof r === 'string' ? [[r, at('regions', i)]] : []))
          : [];
    let byRegion = seen.get(accountId);
    if (byRegion === undefined) {
      byRegion = new Map();
      seen.set(accountId, byRegion);
    }
    for (const [region, path] of regions) {
      // `all` covers every Region, so it clashes with any other listing of the same account.
      const clash = region === 'all' ? byRegion.values().next().value : (byRegion.get(region) ?? byRegion.get('all'));
      if (clash !== undefined) {
        const what = region === 'all' || byRegion.has('all') ? `account ${accountId} (all its Regions)` : `account ${accountId}, ${region}`;
        add(path, `${what} is already a target at ${where(clash)}; list each account and Region once`);
        continue;
      }
      byRegion.set(region, path);
    }
  });
}

function checkOrganization(org: Raw, add: Add, where: (path: IssuePath, key?: boolean) => string): void {
  for (const group of ['accounts', 'ous'] as const) {
    const filter = org[group];
    if (!isObj(filter)) continue;
    const included = new Map<string, IssuePath>();
    for (const side of ['include', 'exclude'] as const) {
      const list = filter[side];
      if (!Array.isArray(list)) continue;
      const first = new Map<string, IssuePath>();
      list.forEach((id, i) => {
        if (typeof id !== 'string') return;
        const path: IssuePath = ['organization', group, side, i];
        const earlier = first.get(id);
        if (earlier !== undefined) add(path, `${JSON.stringify(id)} is already listed at ${where(earlier)}`);
        else first.set(id, path);
        const inInclude = side === 'exclude' ? included.get(id) : undefined;
        if (inInclude !== undefined && earlier === undefined) {
          add(path, `${JSON.stringify(id)} is also in ${where(inInclude)}; exclude always wins, so remove one of them`);
        }
        if (side === 'include' && earlier === undefined) included.set(id, path);
      });
    }
  }
}
