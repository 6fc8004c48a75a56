/**
 * Image references in consumer state: short forms (`team/app:v1`) expand to this registry's URI,
 * and a reference resolves to the digest its tag names in the emulator's ECR at load time, the way
 * ECS pins digests at deployment and Lambda at publication.
 */
import { ecrHost, formatImageReference, isThisRegistry, parseImageReference, type ImageReference } from '../../lib/core/image-reference.js';
import { EmulatorStateError } from '../errors.js';
import type { Registry } from '../registry.js';

const DIGEST_RE = /^sha256:[0-9a-f]{64}$/;

/** Expands and resolves image references against one registry. */
export class ImageNames {
  private readonly host: string;

  constructor(private readonly registry: Registry) {
    this.host = ecrHost({ accountId: registry.registryId, region: registry.region, partition: registry.region.startsWith('cn-') ? 'aws-cn' : 'aws', hostForm: 'standard' });
  }

  /** The full URI of a state reference; EmulatorStateError at `where` when it is not a reference. */
  expand(value: unknown, where: string): string {
    if (typeof value !== 'string' || value.trim() === '') {
      throw new EmulatorStateError(where, `expected an image reference like "team/app:v1" or "team/app@sha256:…", got ${JSON.stringify(value)}`);
    }
    const parsed = parseImageReference(value);
    if (!parsed.ok) throw new EmulatorStateError(where, `"${value}" is not an image reference: ${parsed.problem}`);
    // Written as given (a host-less reference gains this registry's host, nothing else changes).
    return parsed.reference.registry === null ? `${this.host}/${value.trim()}` : value.trim();
  }

  /** The digest a full URI names now in this registry (its own digest when it has one), or undefined. */
  digestOf(uri: string): string | undefined {
    const ref = this.parse(uri);
    if (!ref || !isThisRegistry(ref, this.registry.registryId, this.registry.region)) return ref?.digest;
    if (ref.digest !== undefined) return ref.digest;
    return this.registry.find(ref.repositoryName)?.tags.get(ref.tag ?? 'latest')?.digest;
  }

  /** `<host>/<repository>@<digest>`: Lambda's ResolvedImageUri. */
  resolvedUri(uri: string, digest: string): string {
    const ref = this.parse(uri);
    if (!ref) return `${uri}@${digest}`;
    return formatImageReference({ registry: ref.registry, repositoryName: ref.repositoryName, digest });
  }

  /** A digest given in the state, checked. */
  digest(value: unknown, where: string): string | undefined {
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || !DIGEST_RE.test(value)) throw new EmulatorStateError(where, `expected "sha256:<64 lowercase hex>", got ${JSON.stringify(value)}`);
    return value;
  }

  private parse(uri: string): ImageReference | undefined {
    const parsed = parseImageReference(uri);
    return parsed.ok ? parsed.reference : undefined;
  }
}
