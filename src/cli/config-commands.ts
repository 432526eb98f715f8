// corral check, print and schema: the configuration commands. They read files and write
// text; nothing is started, so they work in a Dockerfile RUN step and on a laptop.
import { stringify } from 'yaml';
import { ConfigError } from '../config/config-error.js';
import { fileFormOf } from '../config/file-form.js';
import { serviceJsonSchema } from '../config/json-schema.js';
import { loadServices } from '../config/load-services.js';
import type { ServiceConfig } from '../config/service-config.js';
import { ExitCode } from '../shared/exit-codes.js';

export interface Output {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

// Validates every file and the dependencies between them: exit 0, or 100 with every
// problem listed.
export function checkCommand(dir: string, out: Output): number {
  const services = loadOrReport(dir, out, 'check');
  if (services === undefined) return ExitCode.config;
  const names = services.map((service) => service.name).join(', ');
  out.stdout(`corral check: ${dir} is valid: ${services.length} enabled service(s)${names ? `: ${names}` : ''}\n`);
  return ExitCode.ok;
}

// The effective configuration: one YAML document per enabled service, every default
// filled in, in the order corral reads them; each instance of a service with replicas is
// one, with its own name and variables. env_file contents are not shown (secrets).
export function printCommand(dir: string, out: Output): number {
  const services = loadOrReport(dir, out, 'print');
  if (services === undefined) return ExitCode.config;
  const documents = services.map((service) => `# ${service.file}${instanceNote(service)}\n${stringify(fileFormOf(service), { lineWidth: 0 })}`);
  out.stdout(documents.join('---\n'));
  return ExitCode.ok;
}

function instanceNote({ replica }: ServiceConfig): string {
  return replica === undefined ? '' : `, instance ${replica.index} of ${replica.of} (replicas: ${replica.count})`;
}

export function schemaCommand(out: Output): number {
  out.stdout(`${JSON.stringify(serviceJsonSchema(), null, 2)}\n`);
  return ExitCode.ok;
}

function loadOrReport(dir: string, out: Output, command: string) {
  try {
    return loadServices(dir);
  } catch (thrown) {
    // Even a bug of corral's in reading the files is reported as a problem (exit 100).
    const error = ConfigError.from(thrown, dir);
    const count = error.problems.length;
    out.stderr(`corral ${command}: ${dir} has ${count} problem${count === 1 ? '' : 's'}; nothing would start:\n${error.message}\n`);
    return undefined;
  }
}
