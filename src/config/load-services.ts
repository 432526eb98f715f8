// Reads services.d: one service per *.yaml / *.yml file, named by its name: key or, by
// default, the file's stem. Every file is parsed and validated before anything starts,
// and every problem in every file is collected into one ConfigError. Whatever a file
// holds, loading ends in services or a ConfigError, never in another exception: `corral
// check` exits 100 on it, and a reload refuses it while the services keep running.
import { statSync } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { join } from 'node:path';
import { freshBudget } from './bounded-read.js';
import { listBoundedDir, TooManyEntriesError } from './bounded-dir.js';
import { ConfigError, internalErrorProblem, type ConfigProblem } from './config-error.js';
import { checkDependencies, type GraphNode } from './dependency-graph.js';
import { applyEnableOverrides } from './enable-overrides.js';
import { accountFilesOnce } from './identity.js';
import { checkNodeDebug } from './node-debug.js';
import { checkInstanceNames, tooManyServices } from './replica-names.js';
import { ignoredNameReason } from './ignored-names.js';
import { LIMITS } from './limits.js';
import { ownCredentials, type Credentials } from '../process/credentials.js';
import type { ServiceConfig } from './service-config.js';
import { failedFile, loadServiceFile, stemOf, type FailedFile, type LoadContext, type LoadedFile, type LocatePath } from './service-file.js';

const SERVICE_FILE = /\.ya?ml$/;

export interface LoadOptions {
  /** Where ${VAR} values come from, and what services inherit: corral's environment. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Who corral runs as, for `user:`; its own process by default. */
  self?: Credentials;
}

// The enabled services defined in `dir`, in file-name order; throws ConfigError listing
// every problem of every file, and of the dependencies between them.
export function loadServices(dir: string, options: LoadOptions = {}): ServiceConfig[] {
  const ctx: LoadContext = {
    // A plain copy: each read of process.env asks the C library, once per service adds up.
    env: definedOnly(options.env ?? process.env),
    budget: freshBudget(),
    tokens: { remaining: LIMITS.loadYamlTokens },
    envFiles: new Map(),
    accounts: accountFilesOnce(),
    self: options.self ?? ownCredentials(),
  };
  const problems: ConfigProblem[] = [];
  const loaded: LoadedFile[] = [];
  const fileByName = new Map<string, string>();
  const failedNodes: GraphNode[] = [];
  const locators = new Map<string, LocatePath>();
  const listing = listServiceFiles(dir);
  problems.push(...listing.problems);
  for (const file of listing.files) {
    const result = loadGuarded(file, ctx);
    const name = 'service' in result ? result.service.name : result.name;
    const other = fileByName.get(name);
    if (other !== undefined) {
      problems.push({
        file,
        message: `service "${name}" (${howNamed(name, file)}) is already defined by ${other} (${howNamed(name, other)}); rename one of them (name: key or file name)`,
      });
      continue;
    }
    fileByName.set(name, file);
    if ('service' in result) {
      loaded.push(result);
      locators.set(name, result.locate);
    } else {
      problems.push(...result.problems);
      failedNodes.push(result.node);
      if (result.locate) locators.set(name, result.locate);
    }
  }
  // Services are switched by name, whichever file they are in; a copy, so no file's
  // config is changed by the environment twice.
  const switched = loaded.map(({ service, instances }) => ({ ...service, ...(instances ? { instances: instances.map((instance) => instance.name) } : {}) }));
  problems.push(...applyEnableOverrides([...switched, ...failedNodes], ctx.env));
  problems.push(...checkInstanceNames([...switched, ...failedNodes]));
  // A node is only located when it has depends_on or main, which a failed file only has
  // when its YAML was read, and then it has a locator.
  problems.push(...checkDependencies([...switched, ...failedNodes], (node, path, message) => locators.get(node.name)!(path, message)));
  const services = loaded.flatMap(({ instances, service }, index) => {
    const { enabled } = switched[index]!;
    return (instances ?? [service]).map((instance) => ({ ...instance, enabled }));
  });
  const running = services.filter((service) => service.enabled);
  if (running.length > LIMITS.services) problems.push(tooManyServices(dir, running));
  // ctx.env is corral's own environment, which NODE_DEBUG was read from when Node started.
  problems.push(...checkNodeDebug(running, ctx.env));
  if (problems.length > 0) throw new ConfigError(problems);
  return running;
}

function definedOnly(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

function howNamed(name: string, file: string): string {
  return name === stemOf(file) ? 'named after its file' : `name: ${name}`;
}

// A file's problems, or its service; an exception of corral's own while reading it (a
// bug) is a problem of that file too, so one file can never take corral down.
function loadGuarded(file: string, ctx: LoadContext): LoadedFile | FailedFile {
  try {
    return loadServiceFile(file, ctx);
  } catch (error) {
    return failedFile(file, [internalErrorProblem(error, file)]);
  }
}

// The service files of `dir` in name order, and the names that cannot be read; a
// directory that cannot be listed at all (missing, not a directory, too many names) is a
// ConfigError of its own.
function listServiceFiles(dir: string): { files: string[]; problems: ConfigProblem[] } {
  const refuse = (why: string): ConfigError => new ConfigError([{ file: dir, message: `the services directory ${why}` }]);
  let names: Buffer[];
  try {
    if (!statSync(dir).isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
    names = listBoundedDir(dir, LIMITS.directoryEntries);
  } catch (error) {
    if (error instanceof TooManyEntriesError) throw refuse(`holds more than ${error.limit} names; corral reads at most ${error.limit}`);
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : code === 'ENOTDIR' ? 'is not a directory' : `cannot be read (${code})`;
    throw refuse(`${why}; create it, or choose another with --services DIR or CORRAL_SERVICES_DIR`);
  }
  const files = names
    .map((name) => ({ name: name.toString('utf8'), utf8: isUtf8(name) }))
    .filter(({ name }) => SERVICE_FILE.test(name) && ignoredNameReason(name) === undefined)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  if (files.length > LIMITS.serviceFiles) throw refuse(`holds ${files.length} service files; corral reads at most ${LIMITS.serviceFiles}`);
  // The name as text would not be the name on disk, so the file could not be opened.
  const problems = files.filter((entry) => !entry.utf8).map((entry) => ({ file: join(dir, entry.name), message: 'its name is not valid UTF-8; rename it' }));
  return { files: files.filter((entry) => entry.utf8).map((entry) => join(dir, entry.name)), problems };
}
