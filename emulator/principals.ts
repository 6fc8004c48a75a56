/**
 * Who calls the emulator, and whether that caller is a pull-time update exclusion. A caller is its
 * SigV4 access key id; its principal ARN is the one configured for the key (`principals`), else
 * `arn:aws:iam::<registryId>:user/<accessKeyId>`. Exclusions name access key ids (the original
 * knob) or principal ARNs; an assumed-role session (`arn:aws:sts::A:assumed-role/Role/s`) is
 * covered by its role's ARN `arn:aws:iam::A:role/Role`, as in ECR. Deliberately written apart from
 * lib/core's matcher, so the tests check one against the other.
 */

/** The temporary credentials STS AssumeRole issued. */
export interface Session {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  /** `arn:aws:sts::<account>:assumed-role/<role>/<session>`. */
  arn: string;
  accountId: string;
  /** Epoch ms (wall time: the SDK compares it with its own clock). */
  expiresAt: number;
}

/** The callers and exclusions of one emulator. */
export class Principals {
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly registryId: string,
    private readonly arnsByKey: Map<string, string>,
    readonly exclusions: Set<string>,
  ) {}

  /** The principal ARN of an access key id. */
  arnOf(accessKeyId: string): string {
    return this.sessions.get(accessKeyId)?.arn ?? this.arnsByKey.get(accessKeyId) ?? `arn:aws:iam::${this.registryId}:user/${accessKeyId}`;
  }

  /** The account a key belongs to: its session's or configured ARN's account, else the default account. */
  accountOf(accessKeyId: string): string {
    return /^arn:[^:]+:(?:iam|sts)::(\d{12}):/.exec(this.arnOf(accessKeyId))?.[1] ?? this.registryId;
  }

  /** Maps a long-term access key id to a principal ARN (its account follows the ARN). */
  addKey(accessKeyId: string, arn: string): void {
    this.arnsByKey.set(accessKeyId, arn);
  }

  /** Records an AssumeRole session, so its key signs as the assumed role. */
  addSession(session: Session): void {
    this.sessions.set(session.accessKeyId, session);
  }

  /** The session of a temporary key, if it is one. */
  session(accessKeyId: string): Session | undefined {
    return this.sessions.get(accessKeyId);
  }

  /** Whether the caller is itself a role session (configured or issued): its AssumeRole is role chaining. */
  isRoleSession(accessKeyId: string): boolean {
    return /^arn:[^:]+:sts::\d{12}:assumed-role\//.test(this.arnOf(accessKeyId));
  }

  /** The IAM ARN an exclusion for this caller names: a session's role, else the caller's ARN. */
  excludableArnOf(accessKeyId: string): string {
    const arn = this.arnOf(accessKeyId);
    const session = /^arn:([^:]+):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(arn);
    return session ? `arn:${session[1]}:iam::${session[2]}:role/${session[3]}` : arn;
  }

  /** True when the caller's pulls must not update lastRecordedPullTime. */
  isExcluded(accessKeyId: string | undefined): boolean {
    if (accessKeyId === undefined) return false;
    return this.exclusions.has(accessKeyId) || this.exclusions.has(this.arnOf(accessKeyId)) || this.exclusions.has(this.excludableArnOf(accessKeyId));
  }

  /** The exclusions as ListPullTimeUpdateExclusions lists them: principal ARNs, sorted, no duplicates. */
  listExclusions(): string[] {
    const arns = [...this.exclusions].map((e) => (e.startsWith('arn:') ? e : this.excludableArnOf(e)));
    return [...new Set(arns)].sort();
  }
}
