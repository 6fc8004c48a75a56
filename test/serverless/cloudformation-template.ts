/**
 * A small offline CloudFormation evaluator for hand-written templates (deploy/*.yml): it checks
 * that every name a template uses resolves, validates parameter values as CloudFormation does, and
 * instantiates the template for given parameters (Conditions, Fn::If, AWS::NoValue, Ref, Fn::Sub,
 * Fn::Join, Fn::GetAtt) so tests can read the policies CloudFormation would create.
 */
import { parseDocument } from 'yaml';

export type Json = unknown;

export interface Parameter {
  Type: string;
  Default?: string;
  AllowedPattern?: string;
  AllowedValues?: string[];
}

export interface Resource {
  Type: string;
  Condition?: string;
  Properties?: Record<string, Json>;
  DependsOn?: string | string[];
}

export interface Template {
  AWSTemplateFormatVersion?: string;
  Description?: string;
  Metadata?: Record<string, Json>;
  Parameters?: Record<string, Parameter>;
  Rules?: Record<string, Json>;
  Conditions?: Record<string, Json>;
  Resources: Record<string, Resource>;
  Outputs?: Record<string, { Value: Json; Condition?: string; Description?: string; Export?: Json }>;
}

/** A template that does not parse as plain YAML, or uses a tag this evaluator cannot read. */
export class TemplateParseError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TemplateParseError';
  }
}

/** A parameter value CloudFormation would refuse, or a template that cannot be instantiated. */
export class TemplateInstantiateError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TemplateInstantiateError';
  }
}

const TOP_LEVEL = new Set(['AWSTemplateFormatVersion', 'Description', 'Metadata', 'Parameters', 'Rules', 'Mappings', 'Conditions', 'Transform', 'Resources', 'Outputs']);
const PARAMETER_TYPES = new Set(['String', 'Number', 'CommaDelimitedList', 'List<Number>']);
export const PSEUDO_PARAMETERS: Record<string, string> = {
  'AWS::Partition': 'aws',
  'AWS::Region': 'us-east-1',
  'AWS::AccountId': '123456789012',
  'AWS::StackName': 'StackSet-ecr-sweeper-target-0000',
  'AWS::URLSuffix': 'amazonaws.com',
};
const NO_VALUE_REF = 'AWS::NoValue';

/**
 * Parses a long-form CloudFormation YAML template. Short-form tags (`!Ref`) are refused: the
 * templates are written in long form so that any YAML reader sees what CloudFormation sees.
 */
export function parseTemplate(text: string): Template {
  const doc = parseDocument(text, { prettyErrors: true });
  const problems = [...doc.errors, ...doc.warnings];
  if (problems.length > 0) {
    throw new TemplateParseError(`template does not parse as plain YAML: ${problems.map((p) => p.message).join('; ')}`);
  }
  return doc.toJS() as Template;
}

function isObject(node: Json): node is Record<string, Json> {
  return typeof node === 'object' && node !== null && !Array.isArray(node);
}

/** Variables named in a Fn::Sub string: `${Name}` and `${Res.Attr}`, not `${!Literal}`. */
function subVariables(text: string): string[] {
  return [...text.matchAll(/\$\{([^}!][^}]*)\}/g)].map((m) => m[1]!);
}

/**
 * Everything in the template that names something else and does not resolve: Refs, GetAtts,
 * Fn::Sub variables, Fn::If and resource/output conditions, DependsOn; plus unknown sections,
 * parameter types and unused parameters or conditions. An empty list is a template whose names
 * all resolve.
 */
export function structuralProblems(template: Template): string[] {
  const problems: string[] = [];
  for (const key of Object.keys(template)) {
    if (!TOP_LEVEL.has(key)) problems.push(`unknown top-level section ${key}`);
  }
  if (!isObject(template.Resources) || Object.keys(template.Resources).length === 0) problems.push('no Resources');
  const parameters = template.Parameters ?? {};
  const conditions = template.Conditions ?? {};
  const resources = template.Resources ?? {};
  for (const [name, p] of Object.entries(parameters)) {
    if (!PARAMETER_TYPES.has(p.Type)) problems.push(`parameter ${name}: unsupported Type ${p.Type}`);
    if (p.AllowedPattern !== undefined) {
      try {
        new RegExp(p.AllowedPattern);
      } catch (error) {
        problems.push(`parameter ${name}: AllowedPattern is not a regular expression (${(error as Error).message})`);
      }
    }
    if (p.Default !== undefined && validateParameter(name, p, p.Default) !== undefined) {
      problems.push(`parameter ${name}: its Default is not an allowed value`);
    }
  }
  const usedParameters = new Set<string>();
  const usedConditions = new Set<string>();
  const refTargets = (name: string): 'parameter' | 'resource' | 'pseudo' | undefined =>
    name in parameters ? 'parameter' : name in resources ? 'resource' : name in PSEUDO_PARAMETERS || name === NO_VALUE_REF ? 'pseudo' : undefined;

  const walk = (node: Json, where: string, inConditions: boolean): void => {
    if (Array.isArray(node)) {
      node.forEach((n, i) => walk(n, `${where}[${i}]`, inConditions));
      return;
    }
    if (!isObject(node)) return;
    for (const [key, value] of Object.entries(node)) {
      const at = `${where}.${key}`;
      if (key === 'Ref') {
        if (typeof value !== 'string') problems.push(`${at}: Ref must name something`);
        else if (refTargets(value) === undefined) problems.push(`${at}: Ref to unknown ${value}`);
        else if (inConditions && refTargets(value) === 'resource') problems.push(`${at}: a condition cannot Ref resource ${value}`);
        else if (refTargets(value) === 'parameter') usedParameters.add(value);
      } else if (key === 'Fn::GetAtt') {
        const target = Array.isArray(value) ? value[0] : typeof value === 'string' ? value.split('.')[0] : undefined;
        if (typeof target !== 'string' || !(target in resources)) problems.push(`${at}: GetAtt of unknown resource ${String(target)}`);
      } else if (key === 'Fn::Sub') {
        const [text, vars] = Array.isArray(value) ? [value[0], value[1] as Record<string, Json> | undefined] : [value, undefined];
        if (typeof text !== 'string') problems.push(`${at}: Fn::Sub needs a string`);
        else {
          for (const variable of subVariables(text)) {
            const head = variable.split('.')[0]!;
            if (vars && variable in vars) continue;
            if (variable.includes('.') ? !(head in resources) : refTargets(variable) === undefined) {
              problems.push(`${at}: Fn::Sub variable \${${variable}} resolves to nothing`);
            } else if (variable in parameters) usedParameters.add(variable);
          }
        }
      } else if (key === 'Fn::If') {
        const name = Array.isArray(value) ? value[0] : undefined;
        if (!Array.isArray(value) || value.length !== 3) problems.push(`${at}: Fn::If takes [condition, then, else]`);
        if (typeof name !== 'string' || !(name in conditions)) problems.push(`${at}: Fn::If on unknown condition ${String(name)}`);
        else usedConditions.add(name);
      } else if (key === 'Condition' && inConditions && typeof value === 'string') {
        if (!(value in conditions)) problems.push(`${at}: unknown condition ${value}`);
        else usedConditions.add(value);
      }
      walk(value, at, inConditions);
    }
  };
  walk(template.Conditions ?? {}, 'Conditions', true);
  walk(template.Resources ?? {}, 'Resources', false);
  walk(template.Outputs ?? {}, 'Outputs', false);
  walk(template.Rules ?? {}, 'Rules', true);

  for (const [id, resource] of Object.entries(resources)) {
    if (typeof resource.Type !== 'string' || !/^AWS::[A-Za-z0-9]+::[A-Za-z0-9]+$/.test(resource.Type)) problems.push(`resource ${id}: bad Type ${String(resource.Type)}`);
    if (resource.Condition !== undefined) {
      if (!(resource.Condition in conditions)) problems.push(`resource ${id}: unknown condition ${resource.Condition}`);
      else usedConditions.add(resource.Condition);
    }
    for (const dependency of [resource.DependsOn ?? []].flat()) {
      if (!(dependency in resources)) problems.push(`resource ${id}: DependsOn unknown ${dependency}`);
    }
  }
  for (const [id, output] of Object.entries(template.Outputs ?? {})) {
    if (output.Condition !== undefined) {
      if (!(output.Condition in conditions)) problems.push(`output ${id}: unknown condition ${output.Condition}`);
      else usedConditions.add(output.Condition);
    }
  }
  for (const name of Object.keys(parameters)) if (!usedParameters.has(name)) problems.push(`parameter ${name} is never used`);
  for (const name of Object.keys(conditions)) if (!usedConditions.has(name)) problems.push(`condition ${name} is never used`);
  return problems;
}

/** CloudFormation's check of one parameter value: undefined when allowed, else why not. */
export function validateParameter(name: string, parameter: Parameter, value: string): string | undefined {
  // A CommaDelimitedList's pattern must match each item.
  const items = parameter.Type === 'CommaDelimitedList' ? value.split(',') : [value];
  if (parameter.AllowedValues && !parameter.AllowedValues.includes(value)) return `${name}: ${JSON.stringify(value)} is not one of ${parameter.AllowedValues.join(', ')}`;
  if (parameter.AllowedPattern !== undefined) {
    // CloudFormation matches the whole value, anchored or not.
    const pattern = new RegExp(`^(?:${parameter.AllowedPattern})$`);
    const bad = items.find((item) => !pattern.test(item));
    if (bad !== undefined) return `${name}: ${JSON.stringify(bad)} does not match ${parameter.AllowedPattern}`;
  }
  return undefined;
}

/** The stack CloudFormation would create: only the resources and outputs whose condition holds, fully resolved. */
export interface Instance {
  conditions: Record<string, boolean>;
  resources: Record<string, { Type: string; Properties: Record<string, Json> }>;
  outputs: Record<string, Json>;
}

const NO_VALUE = Symbol('AWS::NoValue');

/**
 * Instantiates the template for the given parameter values (defaults fill the rest), as
 * CloudFormation would: validates the values, evaluates the conditions, drops the resources and
 * outputs whose condition is false, and resolves every intrinsic function. Refs and GetAtts of
 * resources become `<LogicalId>` / `<LogicalId.Attr>`; a reference to a resource that is not
 * created throws, as CloudFormation refuses such a template.
 */
export function instantiate(template: Template, values: Record<string, string>, pseudo: Record<string, string> = {}): Instance {
  const pseudoParameters: Record<string, string> = { ...PSEUDO_PARAMETERS, ...pseudo };
  const parameters = template.Parameters ?? {};
  for (const name of Object.keys(values)) {
    if (!(name in parameters)) throw new TemplateInstantiateError(`unknown parameter ${name}`);
  }
  const resolved: Record<string, string | string[]> = {};
  for (const [name, parameter] of Object.entries(parameters)) {
    const value = values[name] ?? parameter.Default;
    if (value === undefined) throw new TemplateInstantiateError(`parameter ${name} has no value and no default`);
    const problem = validateParameter(name, parameter, value);
    if (problem !== undefined) throw new TemplateInstantiateError(`parameter ${problem}`);
    resolved[name] = parameter.Type === 'CommaDelimitedList' ? value.split(',') : value;
  }

  const conditions: Record<string, boolean> = {};
  const evaluateCondition = (node: Json): boolean => {
    if (!isObject(node)) throw new TemplateInstantiateError(`condition is not a function: ${JSON.stringify(node)}`);
    if ('Fn::Equals' in node) {
      const [a, b] = (node['Fn::Equals'] as Json[]).map((n) => resolve(n));
      return JSON.stringify(a) === JSON.stringify(b);
    }
    if ('Fn::Not' in node) return !evaluateCondition((node['Fn::Not'] as Json[])[0]);
    if ('Fn::And' in node) return (node['Fn::And'] as Json[]).every(evaluateCondition);
    if ('Fn::Or' in node) return (node['Fn::Or'] as Json[]).some(evaluateCondition);
    if ('Condition' in node) return conditionValue(node.Condition as string);
    throw new TemplateInstantiateError(`unsupported condition ${JSON.stringify(node)}`);
  };
  const conditionValue = (name: string): boolean => {
    if (!(name in conditions)) {
      const node = template.Conditions?.[name];
      if (node === undefined) throw new TemplateInstantiateError(`unknown condition ${name}`);
      conditions[name] = evaluateCondition(node);
    }
    return conditions[name]!;
  };
  const created = (id: string): boolean => {
    const resource = template.Resources[id];
    if (resource === undefined) return false;
    return resource.Condition === undefined || conditionValue(resource.Condition);
  };
  const resourceRef = (id: string, attribute?: string): string => {
    if (!created(id)) throw new TemplateInstantiateError(`reference to ${id}, which these parameters do not create`);
    return attribute === undefined ? `<${id}>` : `<${id}.${attribute}>`;
  };
  const refValue = (name: string): Json => {
    if (name in resolved) return resolved[name];
    if (name in pseudoParameters) return pseudoParameters[name];
    if (name in template.Resources) return resourceRef(name);
    throw new TemplateInstantiateError(`Ref to unknown ${name}`);
  };

  function resolve(node: Json): Json | typeof NO_VALUE {
    if (Array.isArray(node)) return node.map(resolve).filter((n) => n !== NO_VALUE);
    if (!isObject(node)) return node;
    const keys = Object.keys(node);
    if (keys.length === 1) {
      const [key] = keys as [string];
      const arg = node[key];
      if (key === 'Ref') return arg === NO_VALUE_REF ? NO_VALUE : refValue(arg as string);
      if (key === 'Fn::If') {
        const [name, yes, no] = arg as [string, Json, Json];
        return resolve(conditionValue(name) ? yes : no);
      }
      if (key === 'Fn::GetAtt') {
        const [id, attribute] = Array.isArray(arg) ? (arg as [string, string]) : (String(arg).split('.') as [string, string]);
        return resourceRef(id, attribute);
      }
      if (key === 'Fn::Join') {
        const [separator, items] = arg as [string, Json];
        const list = resolve(items);
        if (!Array.isArray(list)) throw new TemplateInstantiateError(`Fn::Join of a non-list ${JSON.stringify(list)}`);
        return list.map(String).join(separator);
      }
      if (key === 'Fn::Sub') {
        const [text, vars] = Array.isArray(arg) ? [arg[0] as string, (arg[1] ?? {}) as Record<string, Json>] : [arg as string, {}];
        return text
          .replace(/\$\{([^}!][^}]*)\}/g, (_, variable: string) => {
            if (variable in vars) return String(resolve(vars[variable]));
            if (variable.includes('.')) {
              const [id, attribute] = variable.split('.') as [string, string];
              return resourceRef(id, attribute);
            }
            const value = refValue(variable);
            if (Array.isArray(value)) throw new TemplateInstantiateError(`Fn::Sub of list parameter ${variable}`);
            return String(value);
          })
          .replace(/\$\{!/g, '${');
      }
      if (key.startsWith('Fn::')) throw new TemplateInstantiateError(`unsupported intrinsic ${key}`);
    }
    const out: Record<string, Json> = {};
    for (const [key, value] of Object.entries(node)) {
      const r = resolve(value);
      if (r !== NO_VALUE) out[key] = r;
    }
    return out;
  }

  for (const name of Object.keys(template.Conditions ?? {})) conditionValue(name);
  const resources: Instance['resources'] = {};
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (!created(id)) continue;
    const properties = resolve(resource.Properties ?? {});
    resources[id] = { Type: resource.Type, Properties: (properties === NO_VALUE ? {} : properties) as Record<string, Json> };
  }
  const outputs: Record<string, Json> = {};
  for (const [id, output] of Object.entries(template.Outputs ?? {})) {
    if (output.Condition !== undefined && !conditionValue(output.Condition)) continue;
    outputs[id] = resolve(output.Value);
  }
  return { conditions, resources, outputs };
}
