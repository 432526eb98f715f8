// The service file JSON Schema as an editor would use it, compiled by ajv. ajv's strict
// mode is stricter than JSON Schema: `type: [string, number, boolean]` (an environment
// value) is standard, and allowed here; anything else strict mode refuses is a bug.
// The named export: under nodenext the default import of this CommonJS module is typed as
// the whole module object, which is not constructable.
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { serviceJsonSchema } from '../../src/config/json-schema.js';

export function compileServiceSchema(schema: Record<string, unknown> = serviceJsonSchema()): ValidateFunction {
  return new Ajv2020({ allErrors: true, allowUnionTypes: true }).compile(schema);
}
