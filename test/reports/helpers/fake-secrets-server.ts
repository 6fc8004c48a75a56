/**
 * A minimal SSM + Secrets Manager endpoint (awsJson1.1 over HTTP on 127.0.0.1) holding the
 * parameters and secrets a test gives it, so the real SDK clients can be exercised end to end.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeSecrets {
  endpoint: string;
  /** X-Amz-Target of every request, in order. */
  targets: string[];
  /** Request bodies, in order. */
  bodies: Array<Record<string, unknown>>;
  stop(): Promise<void>;
}

export interface FakeSecretsState {
  parameters?: Record<string, { type: 'String' | 'StringList' | 'SecureString'; value: string }>;
  secrets?: Record<string, { string?: string; binary?: string }>;
}

/** Starts the fake; unknown names answer as the real services do (ParameterNotFound, ResourceNotFoundException). */
export async function startFakeSecrets(state: FakeSecretsState): Promise<FakeSecrets> {
  const targets: string[] = [];
  const bodies: Array<Record<string, unknown>> = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      targets.push(target);
      bodies.push(body);
      const send = (status: number, payload: unknown) => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify(payload));
      };
      if (target === 'AmazonSSM.GetParameter') {
        const name = String(body.Name);
        const parameter = state.parameters?.[name];
        if (!parameter) return send(400, { __type: 'ParameterNotFound', message: `Parameter ${name} not found.` });
        return send(200, { Parameter: { Name: name, Type: parameter.type, Value: parameter.value, Version: 1 } });
      }
      if (target === 'secretsmanager.GetSecretValue') {
        const id = String(body.SecretId);
        const secret = state.secrets?.[id];
        if (!secret) return send(400, { __type: 'ResourceNotFoundException', Message: "Secrets Manager can't find the specified secret." });
        return send(200, {
          ARN: `arn:aws:secretsmanager:us-east-1:111122223333:secret:${id}`,
          Name: id,
          VersionId: 'v1',
          ...(secret.string !== undefined ? { SecretString: secret.string } : {}),
          ...(secret.binary !== undefined ? { SecretBinary: Buffer.from(secret.binary).toString('base64') } : {}),
        });
      }
      return send(400, { __type: 'UnknownOperationException', message: target });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    targets,
    bodies,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
