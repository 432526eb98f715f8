// What corral asks of a load of the services directory, at start (load-here.ts) and at
// each reload (load-in-worker.ts).
import type { LoadRequest } from '../config/load-in-worker.js';
import { ownCredentials } from '../process/credentials.js';

// corral's own environment as strings: what init scripts get, what each service's
// environment is built on (serviceEnvironment, service-env.ts), and what ${VAR} reads.
export function corralEnvironment(): Record<string, string> {
  return Object.fromEntries(Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

// What to load, as of now: the environment and credentials may have changed since the last load.
export function loadRequest(servicesDir: string, command: [string, ...string[]] | undefined): LoadRequest {
  return { dir: servicesDir, command, env: corralEnvironment(), self: ownCredentials() };
}
