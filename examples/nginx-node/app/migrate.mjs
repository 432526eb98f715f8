// The one-shot migration: creates the app's JSON "database" or upgrades it to the latest
// schema. Run at every container start (services.d/migrate.yaml); idempotent: a database
// already at the latest schema is left untouched, and a half-written file can never be
// seen, since the new version is written beside it and renamed over it.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dataDir = process.env.DATA_DIR ?? '/var/lib/app';
const dbFile = join(dataDir, 'db.json');

// migrations[n] upgrades a database at schema n to schema n + 1.
const migrations = [
  // 0 -> 1: the first schema, a list of notes.
  (db) => ({
    ...db,
    notes: [
      { id: 1, text: 'corral started nginx, this app and a periodic job' },
      { id: 2, text: 'this note was written by the one-shot migration' },
    ],
  }),
  // 1 -> 2: a summary that the periodic job keeps up to date.
  (db) => ({ ...db, summary: { runs: 0, lastRunAt: null, notes: db.notes.length, words: 0 } }),
];
const LATEST = migrations.length;

function read() {
  try {
    return JSON.parse(readFileSync(dbFile, 'utf8'));
  } catch (error) {
    if (error.code === 'ENOENT') return { schema: 0 };
    throw error;
  }
}

try {
  migrate();
} catch (error) {
  // A one-line reason rather than a stack trace: EACCES on the directory, a file that is
  // not JSON.
  console.error(`migrate: ${error.message}`);
  process.exit(1);
}

function migrate() {
  mkdirSync(dataDir, { recursive: true });
  let db = read();
  if (!Number.isInteger(db.schema) || db.schema < 0) {
    console.error(`migrate: ${dbFile} has no valid schema version (${JSON.stringify(db.schema)}); refusing to touch it`);
    process.exit(2);
  }
  if (db.schema > LATEST) {
    console.error(`migrate: ${dbFile} is at schema ${db.schema}, newer than this image knows (${LATEST}); refusing to downgrade`);
    process.exit(2);
  }
  if (db.schema === LATEST) {
    console.log(`migrate: ${dbFile} is at schema ${LATEST}; nothing to do`);
    process.exit(0);
  }
  const from = db.schema;
  for (let schema = from; schema < LATEST; schema++) {
    db = { ...migrations[schema](db), schema: schema + 1 };
    console.log(`migrate: schema ${schema} -> ${schema + 1}`);
  }
  const next = `${dbFile}.${process.pid}.tmp`;
  writeFileSync(next, `${JSON.stringify(db, null, 2)}\n`);
  renameSync(next, dbFile);
  console.log(`migrate: ${dbFile} upgraded from schema ${from} to ${LATEST}`);
}
