// `corral -- COMMAND ARGS`: the command becomes the main service "main", started once
// every service from services.d is ready, as my_init and s6-overlay's CMD do.
import { ConfigError } from './config-error.js';
import { serviceSchema } from './schema.js';
import { serviceConfigOf, type ServiceConfig } from './service-config.js';

export const COMMAND_SERVICE = 'main';
export const COMMAND_SOURCE = '(the command after --)';

export function withCommandService(services: ServiceConfig[], command: [string, ...string[]] | undefined): ServiceConfig[] {
  if (command === undefined) return services;
  // A service with replicas named main would make "main" mean its instances too.
  const taken = services.find((service) => service.name === COMMAND_SERVICE || service.replica?.of === COMMAND_SERVICE);
  if (taken) {
    throw new ConfigError([{ file: taken.file, message: `the name "${COMMAND_SERVICE}" is kept for the command after --; rename this file` }]);
  }
  const main = services.find((service) => service.main);
  if (main) {
    throw new ConfigError([
      { file: main.file, path: 'main', message: 'this service is the main one, and so is the command after --; remove main: true, or the command' },
    ]);
  }
  const parsed = serviceSchema.safeParse({ command, main: true });
  if (!parsed.success) {
    // `corral -- ""`: said like any other problem, not thrown as an internal error.
    throw new ConfigError([{ file: COMMAND_SOURCE, path: 'command', message: parsed.error.issues.map((issue) => issue.message).join('; ') }]);
  }
  const settings = parsed.data;
  return [...services, serviceConfigOf(settings, { name: COMMAND_SERVICE, file: COMMAND_SOURCE }, { env_from_files: {}, after_all: true })];
}
