/**
 * Request validation against the ECR API model's constraints, reported the way AWS services do:
 * `1 validation error detected: Value '...' at 'imageIds' failed to satisfy constraint: Member must
 * have length less than or equal to 100`, as an InvalidParameterException.
 */
import { EcrApiError } from './errors.js';

/** A constraint tree for one request member. */
export type Shape =
  | { type: 'string'; required?: boolean; min?: number; max?: number; pattern?: RegExp; patternText?: string; enum?: readonly string[] }
  | { type: 'integer'; required?: boolean; min?: number; max?: number }
  | { type: 'boolean'; required?: boolean }
  | { type: 'blob'; required?: boolean; max?: number }
  | { type: 'list'; required?: boolean; min?: number; max?: number; member: Shape }
  | { type: 'structure'; required?: boolean; members: Record<string, Shape> }
  | { type: 'map'; required?: boolean };

const REPOSITORY_NAME_TEXT = '[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*(\\/[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*)*';
const REPOSITORY_NAME_RE = new RegExp(`^(?:${REPOSITORY_NAME_TEXT})$`);
const TAG_RE = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,299}$/;

/** Common member shapes of the ECR model (2015-09-21, as of today). */
export const S = {
  registryId: { type: 'string', pattern: /^[0-9]{12}$/, patternText: '[0-9]{12}' },
  repositoryName: { type: 'string', required: true, min: 2, max: 256, pattern: REPOSITORY_NAME_RE, patternText: REPOSITORY_NAME_TEXT },
  maxResults: { type: 'integer', min: 1, max: 1000 },
  nextToken: { type: 'string' },
  uploadId: {
    type: 'string',
    required: true,
    pattern: /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/,
    patternText: '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}',
  },
  layerDigest: { type: 'string', pattern: /^[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+$/, patternText: '[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+' },
  imageIds: {
    type: 'list',
    min: 1,
    max: 100,
    member: {
      type: 'structure',
      members: { imageDigest: { type: 'string' }, imageTag: { type: 'string', min: 1, max: 300 } },
    },
  },
  imageFilter: {
    type: 'structure',
    members: {
      tagStatus: { type: 'string', enum: ['TAGGED', 'UNTAGGED', 'ANY'] },
      imageStatus: { type: 'string', enum: ['ACTIVE', 'ARCHIVED', 'ACTIVATING', 'ANY'] },
    },
  },
} as const satisfies Record<string, Shape>;

/** Whether a repository name satisfies the model's pattern. */
export function isValidRepositoryName(name: string): boolean {
  return name.length >= 2 && name.length <= 256 && REPOSITORY_NAME_RE.test(name);
}

/** Whether a tag is one ECR stores: 1-300 of `[A-Za-z0-9_.-]`, not starting with `.` or `-`. */
export function isValidTag(tag: string): boolean {
  return TAG_RE.test(tag);
}

/**
 * Checks `input` against `members`; throws InvalidParameterException listing every violation
 * (SerializationException when a value has the wrong JSON type, as AWS's JSON protocol does).
 */
export function validateInput(input: Record<string, unknown>, members: Record<string, Shape>): void {
  const errors: string[] = [];
  for (const [name, shape] of Object.entries(members)) check(input[name], shape, name, errors);
  if (errors.length > 0) {
    const n = errors.length;
    throw new EcrApiError('InvalidParameterException', `${n} validation error${n === 1 ? '' : 's'} detected: ${errors.join('; ')}`);
  }
}

function check(value: unknown, shape: Shape, path: string, errors: string[]): void {
  if (value === undefined || value === null) {
    if (shape.required) errors.push(`Value null at '${path}' failed to satisfy constraint: Member must not be null`);
    return;
  }
  const fail = (constraint: string): void => {
    errors.push(`Value ${render(value)} at '${path}' failed to satisfy constraint: Member must ${constraint}`);
  };
  switch (shape.type) {
    case 'string':
      if (typeof value !== 'string') throw typeError(path, 'string');
      if (shape.min !== undefined && value.length < shape.min) fail(`have length greater than or equal to ${shape.min}`);
      if (shape.max !== undefined && value.length > shape.max) fail(`have length less than or equal to ${shape.max}`);
      if (shape.pattern && !shape.pattern.test(value)) fail(`satisfy regular expression pattern: ${shape.patternText}`);
      if (shape.enum && !shape.enum.includes(value)) fail(`satisfy enum value set: [${shape.enum.join(', ')}]`);
      return;
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value)) throw typeError(path, 'integer');
      if (shape.min !== undefined && value < shape.min) fail(`have value greater than or equal to ${shape.min}`);
      if (shape.max !== undefined && value > shape.max) fail(`have value less than or equal to ${shape.max}`);
      return;
    case 'boolean':
      if (typeof value !== 'boolean') throw typeError(path, 'boolean');
      return;
    case 'blob':
      if (typeof value !== 'string') throw typeError(path, 'base64 blob');
      if (shape.max !== undefined && Math.floor((value.length * 3) / 4) > shape.max) fail(`have length less than or equal to ${shape.max}`);
      return;
    case 'map':
      if (typeof value !== 'object' || Array.isArray(value)) throw typeError(path, 'map');
      return;
    case 'list':
      if (!Array.isArray(value)) throw typeError(path, 'list');
      if (shape.min !== undefined && value.length < shape.min) fail(`have length greater than or equal to ${shape.min}`);
      if (shape.max !== undefined && value.length > shape.max) fail(`have length less than or equal to ${shape.max}`);
      value.forEach((item, i) => check(item, shape.member, `${path}.${i + 1}.member`, errors));
      return;
    case 'structure': {
      if (typeof value !== 'object' || Array.isArray(value)) throw typeError(path, 'structure');
      const obj = value as Record<string, unknown>;
      for (const [name, member] of Object.entries(shape.members)) check(obj[name], member, `${path}.${name}`, errors);
      return;
    }
  }
}

function render(value: unknown): string {
  if (typeof value === 'string') return `'${value.length > 100 ? `${value.slice(0, 100)}...` : value}'`;
  if (Array.isArray(value)) {
    const shown = value.slice(0, 5).map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
    return `'[${shown.join(', ')}${value.length > 5 ? ', ...' : ''}]'`;
  }
  return `'${typeof value === 'object' ? JSON.stringify(value) : String(value)}'`;
}

function typeError(path: string, expected: string): EcrApiError {
  return new EcrApiError('SerializationException', `Value at '${path}' must be a ${expected}`);
}
