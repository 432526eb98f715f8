// The services directory starts loading, in its worker thread (load-in-worker.ts), as
// soon as corral knows it will run, while the rest of corral is still being loaded: the
// two take about as long, and each has a core of its own on most machines (issue 20).
// corral.ts awaits the result where it loaded it before, so what is reported first when
// several things are wrong stays the same.
import { LOAD_TIMEOUT_MS, loadInWorker, type LoadRequest } from '../config/load-in-worker.js';
import type { ServiceConfig } from '../config/service-config.js';
import { ownCredentials } from '../process/credentials.js';
import { parseCommandLine } from './args.js';
import { loadNativeAddon } from '../native/addon.js';

/** A load under way: its services, and when its worker thread has ended. */
export interface Load {
  services: Promise<ServiceConfig[]>;
  ended: Promise<void>;
}

// corral's own environment as strings: what init scripts get, what each service's
// environment is built on (serviceEnvironment, service-env.ts), and what ${VAR} reads.
export function corralEnvironment(): Record<string, string> {
  return Object.fromEntries(Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

// What to load, as of now: the environment and credentials as loading in this thread would see them.
export function loadRequest(servicesDir: string, command: [string, ...string[]] | undefined): LoadRequest {
  return { dir: servicesDir, command, env: corralEnvironment(), self: ownCredentials() };
}

// The load for `corral [--services DIR] [-- COMMAND]`, started; undefined for any other
// command line, a bad one included (corral.ts reports it).
export function startEarlyLoad(argv: string[]): Load | undefined {
  let parsed;
  try {
    parsed = parseCommandLine(argv, process.env);
  } catch {
    return undefined;
  }
  if (parsed.kind !== 'run') return undefined;
  limitMallocArenas();
  return startLoad(loadRequest(parsed.servicesDir, parsed.command));
}

// Before the worker thread starts, so that it shares an arena (addon/src/memory.cc): two,
// the main thread's and one for V8's helpers and the worker.
const MALLOC_ARENAS = 2;

function limitMallocArenas(): void {
  try {
    loadNativeAddon().limitArenas(MALLOC_ARENAS);
  } catch {
    // A missing addon is reported, with its fix, where corral loads it to run (corral.ts).
  }
}

export function startLoad(request: LoadRequest): Load {
  let ended!: () => void;
  const threadEnded = new Promise<void>((resolve) => (ended = resolve));
  const services = loadInWorker(request, { timeoutMs: LOAD_TIMEOUT_MS, onExit: ended });
  // Awaited and reported by corral.ts, unless something else ends corral first.
  services.catch(() => undefined);
  return { services, ended: threadEnded };
}
