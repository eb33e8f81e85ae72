/**
 * The operations of openapi/gateway.yaml with their parameters and request bodies, every `$ref`
 * resolved, so the fuzzer generates each request from the contract rather than from a copy of it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { AccessRule } from '../../../server/auth/access.js';
import { loadOperationAccess } from '../../../server/auth/access.js';
import { OPENAPI_DIR } from '../../../server/docs/docs.routes.js';

export type JsonSchema = {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minItems?: number;
  maxItems?: number;
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  allOf?: JsonSchema[];
};

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required: boolean;
  schema: JsonSchema;
}

export interface Operation {
  method: string;
  path: string;
  operationId: string;
  access: AccessRule;
  parameters: Parameter[];
  /** Content type → schema of the request body, when the operation takes one. */
  body?: { required: boolean; content: Record<string, JsonSchema> };
}

type Node = Record<string, unknown>;

/** Replaces every local `$ref` by a copy of its target (the contract has no cycles; depth guards it). */
function resolve(value: unknown, root: Node, depth = 0): unknown {
  if (depth > 40) throw new Error('$ref nesting too deep: is there a cycle?');
  if (Array.isArray(value)) return value.map((v) => resolve(v, root, depth));
  if (value === null || typeof value !== 'object') return value;
  const node = value as Node;
  if (typeof node.$ref === 'string') {
    const ref = node.$ref;
    if (!ref.startsWith('#/')) throw new Error(`only local $refs are supported: ${ref}`);
    const target = ref
      .slice(2)
      .split('/')
      .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
      .reduce<unknown>((at, key) => (at as Node | undefined)?.[key], root);
    if (target === undefined) throw new Error(`unresolved $ref ${ref}`);
    return resolve(target, root, depth + 1);
  }
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, resolve(v, root, depth)]));
}

export function loadOperations(specPath = join(OPENAPI_DIR, 'gateway.yaml')): Operation[] {
  const spec = parse(readFileSync(specPath, 'utf8')) as Node;
  const paths = resolve(spec.paths, spec) as Record<string, Record<string, Node>>;
  const rules = new Map(loadOperationAccess(specPath).map((op) => [`${op.method} ${op.path}`, op.access]));
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(paths)) {
    const shared = (item.parameters as unknown as Parameter[] | undefined) ?? [];
    for (const [method, raw] of Object.entries(item)) {
      if (!['get', 'put', 'post', 'delete', 'patch'].includes(method)) continue;
      const access = rules.get(`${method.toUpperCase()} ${path}`);
      if (!access) throw new Error(`${method} ${path} has no access rule`);
      const own = (raw.parameters as Parameter[] | undefined) ?? [];
      const byKey = new Map([...shared, ...own].map((p) => [`${p.in}:${p.name}`, p]));
      const requestBody = raw.requestBody as
        { required?: boolean; content: Record<string, { schema?: JsonSchema }> } | undefined;
      operations.push({
        method: method.toUpperCase(),
        path,
        operationId: String(raw.operationId),
        access,
        parameters: [...byKey.values()].map((p) => ({
          name: p.name,
          in: p.in,
          required: p.in === 'path' || p.required === true,
          schema: p.schema ?? {},
        })),
        ...(requestBody
          ? {
              body: {
                required: requestBody.required === true,
                content: Object.fromEntries(
                  Object.entries(requestBody.content).map(([type, media]) => [type, media.schema ?? {}]),
                ),
              },
            }
          : {}),
      });
    }
  }
  return operations;
}
