// The service file language as a JSON Schema, generated from the zod schema so the two
// cannot drift. Editors with the YAML language server use it to complete and check
// services.d files (`# yaml-language-server: $schema=...` or yaml.schemas). It describes
// the input, as written: durations and sizes are strings, defaults are shown as a user
// would write them. Checks across keys (a oneshot with health) and across files
// (depends_on) are corral's alone; `corral check` does those.
import { z } from 'zod';
import { serviceSchema } from './schema.js';

export const SCHEMA_ID = 'https://corral.dev/schema/service.json';

export function serviceJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(serviceSchema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' });
  return {
    ...generated,
    $id: SCHEMA_ID,
    title: 'corral service',
    description: 'One service of corral, the container init: a YAML file in /etc/corral/services.d',
  };
}
