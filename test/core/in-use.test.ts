/**
 * Resolving consumers' references against this registry and the inventory read at plan time.
 */
import { describe, expect, it } from 'vitest';
import { describeUsages, resolveInUse, type InUseUsage } from '../../lib/core/in-use.js';
import type { RepositoryInventory } from '../../lib/core/inventory.js';
import { d, img } from '../planner/builders.js';

const ACCT = '123456789012';
const HOST = `${ACCT}.dkr.ecr.eu-west-1.amazonaws.com`;
const THIS = { accountId: ACCT, region: 'eu-west-1' };

const inventories: RepositoryInventory[] = [
  { repositoryName: 'payments', images: [img('A', 1, ['v1', 'latest']), img('B', 2, ['v0']), img('C', 3)] },
  { repositoryName: 'team/web', images: [img('W', 1, ['prod'])] },
];

const use = (reference: string, consumer = 'ECS service prod/payments-api (task definition payments-api:42)', source: InUseUsage['source'] = 'ecs'): InUseUsage => ({
  consumer,
  source,
  reference,
});

describe('resolveInUse', () => {
  it('a tag protects the digest it names now; a digest protects that digest; no tag means latest', () => {
    const r = resolveInUse(THIS, [use(`${HOST}/payments:v0`), use(`${HOST}/payments@${d('C')}`, 'Lambda function resize, alias live', 'lambda'), use(`${HOST}/team/web`, 'web')], inventories);
    // team/web has no `latest`: counted, nothing protected there.
    expect([...r.byRepository.keys()]).toEqual(['payments']);
    const payments = r.byRepository.get('payments')!;
    expect([...payments.keys()].sort()).toEqual([d('B'), d('C')].sort());
    expect(payments.get(d('C'))![0]!.consumer).toBe('Lambda function resize, alias live');
    expect(r.counts).toEqual({ resolved: 2, otherRegistry: 0, unknownRepository: 0, unknownTag: 1, unknownDigest: 0, malformed: 0 });
  });

  it('with a tag and a digest, the digest wins', () => {
    const r = resolveInUse(THIS, [use(`${HOST}/payments:v1@${d('B')}`)], inventories);
    expect([...r.byRepository.get('payments')!.keys()]).toEqual([d('B')]);
  });

  it('every ECR host form of this account and Region resolves', () => {
    const hosts = [HOST, `${ACCT}.dkr-ecr.eu-west-1.on.aws`, `${ACCT}.dkr.ecr-fips.eu-west-1.amazonaws.com`, `${ACCT}.DKR.ECR.EU-WEST-1.AMAZONAWS.COM`];
    const r = resolveInUse(THIS, hosts.map((h, i) => use(`${h}/payments:v1`, `consumer ${i}`)), inventories);
    expect(r.byRepository.get('payments')!.get(d('A'))!.map((u) => u.consumer)).toEqual(['consumer 0', 'consumer 1', 'consumer 2', 'consumer 3']);
  });

  it('references to other registries are counted, never matched by repository name alone', () => {
    const r = resolveInUse(
      THIS,
      [
        use('payments:v1'),
        use('docker.io/payments:v1'),
        use(`210987654321.dkr.ecr.eu-west-1.amazonaws.com/payments:v1`),
        use(`${ACCT}.dkr.ecr.eu-west-2.amazonaws.com/payments:v1`),
        use(`${ACCT}.dkr.ecr.cn-north-1.amazonaws.com.cn/payments:v1`),
        use('public.ecr.aws/payments:v1'),
      ],
      inventories,
    );
    expect(r.byRepository.size).toBe(0);
    expect(r.counts.otherRegistry).toBe(6);
    expect(r.counts.resolved).toBe(0);
  });

  it('counts unknown repositories, tags, digests and malformed references, naming what could not be parsed', () => {
    const bad = use(`${HOST}/Payments:v1`);
    const r = resolveInUse(THIS, [use(`${HOST}/gone:v1`), use(`${HOST}/payments:v9`), use(`${HOST}/payments@${d('Z')}`), bad], inventories);
    expect(r.counts).toEqual({ resolved: 0, otherRegistry: 0, unknownRepository: 1, unknownTag: 1, unknownDigest: 1, malformed: 1 });
    expect(r.malformed).toEqual([{ usage: bad, problem: expect.stringMatching(/'Payments' is not a valid repository name/) }]);
  });

  it('a tag two digests claim (messy input) protects both; the same usage twice is listed once; usages sort by consumer', () => {
    const messy: RepositoryInventory[] = [{ repositoryName: 'app', images: [img('A', 1, ['v1']), img('B', 2, ['v1'])] }];
    const r = resolveInUse(THIS, [use(`${HOST}/app:v1`, 'z'), use(`${HOST}/app:v1`, 'a'), use(`${HOST}/app:v1`, 'a')], messy);
    const app = r.byRepository.get('app')!;
    expect([...app.keys()].sort()).toEqual([d('A'), d('B')].sort());
    expect(app.get(d('A'))!.map((u) => u.consumer)).toEqual(['a', 'z']);
  });
});

describe('describeUsages', () => {
  it('names the first consumer and how many other consumers there are', () => {
    expect(describeUsages([use('x', 'ECS service prod/api (task definition api:42)')])).toBe('in use by ECS service prod/api (task definition api:42)');
    expect(describeUsages([use('x', 'a'), use('y', 'a'), use('x', 'b'), use('x', 'c')])).toBe('in use by a and 2 more');
  });
});
