/**
 * EC2 DescribeRegions on the emulator (EC2 query protocol: form-encoded POST, XML answer), with
 * just what `@aws-sdk/client-ec2` needs to tell which Regions an account has enabled. The account
 * is the caller's (an assumed role's session lands in the role's account). Counted in the stats
 * as `ec2:<Action>`; `accessDenied: ["ec2:DescribeRegions"]` answers UnauthorizedOperation.
 */
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { Accounts } from './accounts.js';
import type { Faults } from './faults.js';
import type { Principals } from './principals.js';
import { tokenProblem } from './sts.js';

/** What an EC2 request needs of the emulator. */
export interface Ec2Deps {
  faults: Faults;
  principals: Principals;
  accounts: Accounts;
}

/** The signed parts of an EC2 request. */
export interface Ec2Request {
  body: Buffer;
  accessKeyId: string | undefined;
  region: string | undefined;
  securityToken: string | undefined;
}

class Ec2Error extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'Ec2Error';
  }
}

const NS = 'http://ec2.amazonaws.com/doc/2016-11-15/';

/** Answers one EC2 request. */
export function answerEc2(request: Ec2Request, deps: Ec2Deps, res: ServerResponse): void {
  const form = new URLSearchParams(request.body.toString('utf8'));
  const action = form.get('Action') ?? '';
  const operation = `ec2:${action || '(no Action)'}`;
  deps.faults.countRequest(operation);
  const requestId = randomUUID();
  const xml = (status: number, text: string): void => {
    res.writeHead(status, { 'Content-Type': 'text/xml;charset=UTF-8', 'Content-Length': Buffer.byteLength(text), 'x-amzn-RequestId': requestId });
    res.end(text);
  };
  try {
    const { accessKeyId } = request;
    if (accessKeyId === undefined) throw new Ec2Error(401, 'AuthFailure', 'AWS was not able to validate the provided access credentials');
    if (tokenProblem(accessKeyId, request.securityToken, deps.principals) !== undefined) throw new Ec2Error(401, 'AuthFailure', 'AWS was not able to validate the provided access credentials');
    const account = deps.principals.accountOf(accessKeyId);
    if (!deps.accounts.isEnabled(account, request.region)) throw new Ec2Error(401, 'AuthFailure', 'AWS was not able to validate the provided access credentials');
    if (action !== 'DescribeRegions') throw new Ec2Error(400, 'InvalidAction', `The action ${action} is not valid for this web service (the emulator serves only DescribeRegions).`);
    if (deps.faults.denies(operation)) {
      throw new Ec2Error(403, 'UnauthorizedOperation', `You are not authorized to perform this operation. User: ${deps.principals.arnOf(accessKeyId)} is not authorized to perform: ec2:DescribeRegions (injected by the emulator)`);
    }
    const allRegions = form.get('AllRegions') === 'true';
    const names = new Set([...form.entries()].filter(([k]) => /^RegionName\.\d+$/.test(k)).map(([, v]) => v));
    const { enabled, notEnabled } = deps.accounts.regionsOf(account);
    const rows = [
      ...enabled.map((name) => ({ name, optIn: 'opt-in-not-required' })),
      ...(allRegions ? notEnabled.map((name) => ({ name, optIn: 'not-opted-in' })) : []),
    ]
      .filter((r) => names.size === 0 || names.has(r.name))
      .sort((a, b) => (a.name < b.name ? -1 : 1));
    const items = rows.map((r) => `<item><regionName>${r.name}</regionName><regionEndpoint>ec2.${r.name}.amazonaws.com</regionEndpoint><optInStatus>${r.optIn}</optInStatus></item>`).join('');
    return xml(200, `<?xml version="1.0" encoding="UTF-8"?>\n<DescribeRegionsResponse xmlns="${NS}"><requestId>${requestId}</requestId><regionInfo>${items}</regionInfo></DescribeRegionsResponse>`);
  } catch (error) {
    if (!(error instanceof Ec2Error)) throw error;
    deps.faults.countFailed(operation);
    xml(error.status, `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${error.code}</Code><Message>${esc(error.message)}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`);
  }
}

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
