/**
 * The exporter's manifests (deploy/kubernetes/): they parse as YAML, kustomize has everything it
 * needs, the RBAC is read-only on exactly what kubectl lists, images are pinned, and the upload
 * goes where the sweeper reads.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';

const DIR = join(import.meta.dirname, '../../deploy/kubernetes');
const YAML_FILES = readdirSync(DIR).filter((f) => f.endsWith('.yaml')).sort();

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; annotations?: Record<string, string> };
  [key: string]: unknown;
}

function documentsOf(file: string): K8sObject[] {
  const docs = parseAllDocuments(readFileSync(join(DIR, file), 'utf8'));
  for (const doc of docs) expect(doc.errors, `${file}: ${doc.errors.map((e) => e.message).join('; ')}`).toEqual([]);
  return docs.map((d) => d.toJS() as K8sObject).filter((o) => o !== null);
}

const kustomization = documentsOf('kustomization.yaml')[0] as unknown as {
  namespace: string;
  resources: string[];
  configMapGenerator: { name: string; files?: string[]; literals?: string[] }[];
};
const objects = YAML_FILES.filter((f) => f !== 'kustomization.yaml').flatMap(documentsOf);
const one = (kind: string) => {
  const found = objects.filter((o) => o.kind === kind);
  expect(found, kind).toHaveLength(1);
  return found[0]!;
};

// What the exporter reads: the kinds `kubectl get` names, in their API groups.
const READ = ['/pods', 'apps/replicasets', 'apps/deployments', 'apps/statefulsets', 'apps/daemonsets', 'apps/controllerrevisions', 'batch/jobs', 'batch/cronjobs'];

interface PodSpec {
  serviceAccountName: string;
  securityContext: { runAsNonRoot?: boolean };
  initContainers: Container[];
  containers: Container[];
  volumes: { name: string; configMap?: { name: string } }[];
}
interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  env?: { name: string; valueFrom?: { configMapKeyRef?: { name: string; key: string } } }[];
  securityContext?: { allowPrivilegeEscalation?: boolean; readOnlyRootFilesystem?: boolean; capabilities?: { drop?: string[] } };
}
const cronJob = one('CronJob') as unknown as { spec: { schedule: string; concurrencyPolicy: string; jobTemplate: { spec: { template: { spec: PodSpec } } } } };
const pod = cronJob.spec.jobTemplate.spec.template.spec;
const containers = [...pod.initContainers, ...pod.containers];

describe('deploy/kubernetes manifests', () => {
  it('parse as YAML, and kustomize lists every manifest and generates the script ConfigMap', () => {
    expect(YAML_FILES).toEqual(['cronjob.yaml', 'kustomization.yaml', 'namespace.yaml', 'rbac.yaml', 'serviceaccount.yaml']);
    expect([...kustomization.resources].sort()).toEqual(YAML_FILES.filter((f) => f !== 'kustomization.yaml'));
    expect(kustomization.configMapGenerator.find((g) => g.name === 'in-use-exporter-script')?.files).toEqual(['export-in-use.mjs']);
    expect(readdirSync(DIR)).toContain('export-in-use.mjs');
    for (const object of objects) if (object.kind !== 'ClusterRole' && object.kind !== 'ClusterRoleBinding' && object.kind !== 'Namespace') expect(object.metadata.namespace).toBe(kustomization.namespace);
  });

  it('the ClusterRole only gets and lists pods and the workloads, nothing else', () => {
    const roles = objects.filter((o) => o.kind === 'ClusterRole' || o.kind === 'Role');
    expect(roles).toHaveLength(1);
    const rules = (roles[0] as unknown as { rules: { apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[]; nonResourceURLs?: string[] }[] }).rules;
    const granted: string[] = [];
    for (const rule of rules) {
      expect([...rule.verbs].sort()).toEqual(['get', 'list']);
      expect(rule.nonResourceURLs).toBeUndefined();
      for (const group of rule.apiGroups) for (const resource of rule.resources) granted.push(`${group}/${resource}`);
    }
    expect(granted.sort()).toEqual([...READ].sort());
    expect(JSON.stringify(rules)).not.toContain('*');
  });

  it('the binding gives that role to the service account the CronJob runs as', () => {
    const role = one('ClusterRole');
    const binding = one('ClusterRoleBinding') as unknown as { roleRef: { kind: string; name: string }; subjects: { kind: string; name: string; namespace: string }[] };
    const account = one('ServiceAccount');
    expect(binding.roleRef).toMatchObject({ kind: 'ClusterRole', name: role.metadata.name });
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: account.metadata.name, namespace: kustomization.namespace }]);
    expect(pod.serviceAccountName).toBe(account.metadata.name);
    // IRSA: the role that may PutObject the in-use file.
    expect(account.metadata.annotations?.['eks.amazonaws.com/role-arn']).toMatch(/^arn:aws:iam::\d{12}:role\//);
  });

  it('kubectl lists exactly the kinds the role may read, from every namespace, into the shared volume', () => {
    const list = pod.initContainers.find((c) => c.name === 'list')!;
    const command = [...(list.command ?? []), ...(list.args ?? [])].join(' ');
    const kinds = /kubectl get ([a-z,]+)/.exec(command)?.[1]?.split(',') ?? [];
    expect(kinds.sort()).toEqual(READ.map((r) => r.slice(r.indexOf('/') + 1)).sort());
    expect(command).toMatch(/--all-namespaces/);
    expect(command).toMatch(/-o json > \/work\/k8s\.json/);
  });

  it('node runs the script from the generated ConfigMap; the AWS CLI uploads to <S3_URI><cluster>.json', () => {
    const transform = pod.initContainers.find((c) => c.name === 'transform')!;
    expect(transform.command).toEqual(['node', '/scripts/export-in-use.mjs']);
    expect(transform.args).toEqual(['--input', '/work/k8s.json', '--output', '/work/in-use.json', '--source', '$(CLUSTER_NAME)']);
    expect(pod.volumes.find((v) => v.name === 'script')?.configMap?.name).toBe('in-use-exporter-script');
    const upload = pod.containers.find((c) => c.name === 'upload')!;
    expect(upload.args?.slice(0, 4)).toEqual(['s3', 'cp', '/work/in-use.json', '$(S3_URI)$(CLUSTER_NAME).json']);
    const settings = kustomization.configMapGenerator.find((g) => g.name === 'in-use-exporter-settings')!;
    expect(settings.literals?.find((l) => l.startsWith('S3_URI='))).toMatch(/^S3_URI=s3:\/\/[a-z0-9.-]+\/in-use\/$/);
    for (const c of containers) {
      for (const env of c.env ?? []) {
        const ref = env.valueFrom?.configMapKeyRef;
        if (ref) expect(settings.literals?.map((l) => l.split('=')[0])).toContain(ref.key);
        if (ref) expect(ref.name).toBe(settings.name);
      }
    }
  });

  it('pins every image to a version (no latest, no bare name) and runs every container unprivileged', () => {
    for (const c of containers) {
      expect(c.image, c.name).toMatch(/^[a-z0-9./-]+:[^:@]*\d[^:@]*$/);
      expect(c.image, c.name).not.toMatch(/:latest$/);
      expect(c.securityContext, c.name).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    }
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(cronJob.spec.concurrencyPolicy).toBe('Forbid');
  });
});
