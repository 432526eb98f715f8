// The service file language as a JSON Schema, generated from the zod schema so the two
// cannot drift. Editors with the YAML language server use it to complete and check
// services.d files (`# yaml-language-server: $schema=...` or yaml.schemas). It describes
// the input, as written: durations and sizes are strings, defaults are shown as a user
// would write them. Checks across keys (a oneshot with health) and across files
// (depends_on) are corral's alone; `corral check` does those.
import { z } from 'zod';
import { HEALTH_KINDS, READY_KINDS } from './field-schemas.js';
import { LIMITS } from './limits.js';
import { serviceSchema } from './schema.js';

export const SCHEMA_ID = 'https://corral.dev/schema/service.json';

type JsonSchema = Record<string, unknown>;

// A value with ${VAR} in it is checked by corral after expansion, so the schema accepts
// it as written; the other forms keep their patterns (a port, an absolute path, a URL).
const MAY_HOLD_VARIABLES = ['working_dir', 'ready.tcp', 'ready.http', 'health.tcp', 'health.http', 'schedule.every', 'schedule.timeout'];
const WITH_VARIABLE: JsonSchema = { type: 'string', pattern: '\\$\\{' };

export function serviceJsonSchema(): JsonSchema {
  const generated = z.toJSONSchema(serviceSchema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema;
  for (const path of MAY_HOLD_VARIABLES) allowVariables(generated, path.split('.'));
  requireOneKind(generated, 'ready', READY_KINDS);
  requireOneKind(generated, 'health', HEALTH_KINDS);
  requireOneKind(generated, 'schedule', ['cron', 'every']);
  replicasRange(generated);
  return {
    ...generated,
    $id: SCHEMA_ID,
    title: 'corral service',
    description: 'One service of corral, the container init: a YAML file in /etc/corral/services.d',
  };
}

// Widens the property at `path` (through mappings, and the mapping branch of a union such
// as ready's none-or-mapping) to also accept a string holding ${.
function allowVariables(schema: JsonSchema, path: string[]): void {
  const objects = [schema, ...((schema.anyOf as JsonSchema[] | undefined) ?? [])].filter((branch) => branch.properties !== undefined);
  for (const object of objects) {
    const properties = object.properties as Record<string, JsonSchema>;
    const [key, ...rest] = path;
    const property = properties[key!];
    if (property === undefined) continue;
    if (rest.length > 0) {
      allowVariables(property, rest);
    } else {
      const { description, ...check } = property;
      properties[key!] = { ...(description === undefined ? {} : { description }), anyOf: [check, WITH_VARIABLE] };
    }
  }
}

// "Exactly one probe kind" (and one of cron and every) is a zod refinement, which
// toJSONSchema cannot see; said in JSON Schema, an editor flags a ready: mapping without
// a kind, or with two.
function requireOneKind(schema: JsonSchema, key: string, kinds: readonly string[]): void {
  const property = (schema.properties as Record<string, JsonSchema>)[key]!;
  const mappings = [property, ...((property.anyOf as JsonSchema[] | undefined) ?? [])].filter((branch) => branch.type === 'object');
  for (const mapping of mappings) mapping.oneOf = kinds.map((kind) => ({ required: [kind] }));
}

// replicas is checked by a transform, which toJSONSchema sees as "a number or a string":
// said in JSON Schema, a whole number in range, its digits as a string, or a ${VAR}.
function replicasRange(schema: JsonSchema): void {
  const properties = schema.properties as Record<string, JsonSchema>;
  const { description } = properties.replicas!;
  properties.replicas = {
    description,
    anyOf: [{ type: 'integer', minimum: 0, maximum: LIMITS.replicas }, { type: 'string', pattern: '^\\s*\\d+\\s*$' }, WITH_VARIABLE],
  };
}
