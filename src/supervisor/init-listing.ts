// Which files of the init directory (/etc/corral/init.d) run, and in what order, as
// my_init's /etc/my_init.d and s6-overlay's /etc/cont-init.d: every executable regular
// file, in byte order of its name (what `LC_ALL=C ls` shows), so "10-" runs before "20-"
// whatever the locale. Deciding is pure (planInitScripts); readInitDir only gathers the
// facts from the file system.
import { lstatSync, statSync, type Stats } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { join } from 'node:path';
import { listBoundedDir, TooManyEntriesError } from '../config/bounded-dir.js';
import { ConfigError } from '../config/config-error.js';
import { ignoredNameReason } from '../config/ignored-names.js';
import { LIMITS } from '../config/limits.js';
import { escapeControls } from '../config/text-input.js';

/** One name in the init directory, with what stat (following symbolic links) found. */
export interface InitDirEntry {
  /** The name's bytes, exactly as the directory holds them. */
  name: Buffer;
  /** 'broken-link': a symbolic link whose target cannot be reached (errno in `problem`). */
  kind: 'file' | 'directory' | 'other' | 'broken-link';
  /** Any execute bit is set (root may then exec it; the exec reports anything else). */
  executable: boolean;
  problem?: string;
}

export interface InitScript {
  name: string;
  path: string;
}

/** A name that does not run: debug when it is a convention (dotfiles, backups,
 * directories), warn when it looks like a script someone meant to run. */
export interface SkippedEntry {
  name: string;
  level: 'debug' | 'warn';
  reason: string;
}

export interface InitPlan {
  scripts: InitScript[];
  skipped: SkippedEntry[];
}

// The scripts to run, in byte order of their names, and why each other name does not run.
export function planInitScripts(dir: string, entries: readonly InitDirEntry[]): InitPlan {
  const plan: InitPlan = { scripts: [], skipped: [] };
  for (const entry of [...entries].sort((a, b) => Buffer.compare(a.name, b.name))) {
    const name = entry.name.toString('utf8');
    const path = join(dir, name);
    // A name is echoed in the log: control characters in it are escaped.
    const shown = escapeControls(path);
    const skip = (level: SkippedEntry['level'], reason: string): void => void plan.skipped.push({ name, level, reason });
    const ignored = ignoredNameReason(name);
    if (ignored !== undefined) skip('debug', `skipping ${shown}: ${ignored}`);
    else if (!isUtf8(entry.name)) skip('warn', `skipping ${JSON.stringify(name)} in ${dir}: its name is not valid UTF-8; rename it`);
    else if (entry.kind === 'directory') skip('debug', `skipping ${shown}: a directory (init scripts are not searched for in subdirectories)`);
    else if (entry.kind === 'other') skip('debug', `skipping ${shown}: not a regular file`);
    else if (entry.kind === 'broken-link')
      skip('warn', `skipping ${shown}: a symbolic link to nothing that can be reached (${entry.problem ?? 'unknown error'})`);
    else if (!entry.executable) skip('warn', `skipping ${shown}: not executable; chmod +x ${shown} to run it, or remove it`);
    else plan.scripts.push({ name, path });
  }
  return plan;
}

// The entries of `dir`, or none when it does not exist. Anything else that keeps corral
// from reading it (not a directory, no permission) is a configuration error: running
// the services without the setup their image expects would be worse than not starting.
export function readInitDir(dir: string): InitDirEntry[] {
  let names: Buffer[];
  try {
    names = listBoundedDir(dir, LIMITS.directoryEntries);
  } catch (error) {
    if (error instanceof TooManyEntriesError)
      throw new ConfigError([
        { file: dir, message: `the init directory (CORRAL_INIT_DIR) holds more than ${error.limit} names; corral reads at most ${error.limit}` },
      ]);
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return [];
    const why = code === 'ENOTDIR' ? 'is not a directory' : `cannot be read (${code ?? (error as Error).message})`;
    throw new ConfigError([{ file: dir, message: `the init directory (CORRAL_INIT_DIR) ${why}` }]);
  }
  return names.flatMap((name) => {
    const entry = describeEntry(Buffer.concat([Buffer.from(`${dir}/`), name]), name);
    return entry === undefined ? [] : [entry];
  });
}

// undefined when the name went away between readdir and stat.
function describeEntry(path: Buffer, name: Buffer): InitDirEntry | undefined {
  let link: Stats;
  try {
    link = lstatSync(path);
  } catch {
    return undefined;
  }
  let stats = link;
  if (link.isSymbolicLink()) {
    try {
      stats = statSync(path);
    } catch (error) {
      return { name, kind: 'broken-link', executable: false, problem: (error as NodeJS.ErrnoException).code };
    }
  }
  const kind = stats.isFile() ? 'file' : stats.isDirectory() ? 'directory' : 'other';
  return { name, kind, executable: (stats.mode & 0o111) !== 0 };
}
