// Lists a configuration directory (services.d, init.d) with a bound on how many names it
// may hold, reading them a few at a time: a directory of a million files must be an error,
// not an array that fills corral's heap. Names are bytes, as the directory holds them,
// so a name that is not UTF-8 can be told apart rather than silently mangled.
import { opendirSync, type Dir } from 'node:fs';

export class TooManyEntriesError extends Error {
  override name = 'TooManyEntriesError';

  constructor(
    readonly dir: string,
    readonly limit: number,
  ) {
    super(`${dir} holds more than ${limit} names`);
  }
}

// Every name in `dir`; throws TooManyEntriesError past `limit`, and the errno error of
// opendir (ENOENT, ENOTDIR, EACCES, ...) when it cannot be opened.
export function listBoundedDir(dir: string, limit: number): Buffer[] {
  // Node takes 'buffer' here as readdir does; @types/node lists only text encodings.
  const handle: Dir = opendirSync(dir, { encoding: 'buffer' as BufferEncoding });
  try {
    const names: Buffer[] = [];
    for (let entry = handle.readSync(); entry !== null; entry = handle.readSync()) {
      if (names.length === limit) throw new TooManyEntriesError(dir, limit);
      names.push(entry.name as unknown as Buffer);
    }
    return names;
  } finally {
    handle.closeSync();
  }
}
