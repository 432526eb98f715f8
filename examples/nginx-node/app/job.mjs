// The periodic job: one run recomputes the summary the app shows (how many notes, how
// many words) and counts itself. services.d/job.yaml runs it on a schedule ($JOB_SCHEDULE).
// The database is replaced whole (written beside it, then renamed), so the app never
// reads a half-written file, even when the job is killed mid-run.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dataDir = process.env.DATA_DIR ?? '/var/lib/app';
const dbFile = join(dataDir, 'db.json');
const NEEDS_SCHEMA = 2;

let db;
try {
  db = JSON.parse(readFileSync(dbFile, 'utf8'));
} catch (error) {
  console.error(`job: cannot read ${dbFile}: ${error.message}`);
  process.exit(1);
}
if (db.schema !== NEEDS_SCHEMA) {
  console.error(`job: ${dbFile} is at schema ${db.schema}, expected ${NEEDS_SCHEMA}; did migrate run?`);
  process.exit(2);
}
const words = db.notes.reduce((sum, note) => sum + note.text.split(/\s+/).filter(Boolean).length, 0);
db.summary = { runs: db.summary.runs + 1, lastRunAt: new Date().toISOString(), notes: db.notes.length, words };
const next = `${dbFile}.${process.pid}.tmp`;
writeFileSync(next, `${JSON.stringify(db, null, 2)}\n`);
renameSync(next, dbFile);
console.log(`job: run ${db.summary.runs}: ${db.summary.notes} notes, ${words} words`);
