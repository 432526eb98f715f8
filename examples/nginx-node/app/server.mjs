// The app: a dependency-free HTTP server behind nginx, serving the notes the migration
// wrote and the summary the periodic job keeps. It listens on 127.0.0.1 only: nginx is
// the way in. GET /healthz answers 200 while the database is readable and at the schema
// this code needs, which is what corral's ready and health checks ask.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout } from 'node:timers';

const host = process.env.HOST ?? '127.0.0.1';
const port = Number(process.env.PORT ?? 3000);
const dbFile = join(process.env.DATA_DIR ?? '/var/lib/app', 'db.json');
const NEEDS_SCHEMA = 2;

async function readDb() {
  const db = JSON.parse(await readFile(dbFile, 'utf8'));
  if (db.schema !== NEEDS_SCHEMA) throw new Error(`${dbFile} is at schema ${db.schema}, this app needs ${NEEDS_SCHEMA}`);
  return db;
}

function send(res, status, type, body) {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}

const server = createServer((req, res) => {
  const path = new URL(req.url ?? '/', 'http://app').pathname;
  readDb().then(
    (db) => {
      if (path === '/healthz') return send(res, 200, 'text/plain', 'ok\n');
      if (path === '/api/notes') return send(res, 200, 'application/json', `${JSON.stringify({ notes: db.notes, summary: db.summary })}\n`);
      if (path !== '/') return send(res, 404, 'text/plain', 'not found\n');
      const { runs, lastRunAt, notes, words } = db.summary;
      const summary = runs === 0 ? 'the periodic job has not run yet' : `job run ${runs} at ${lastRunAt}: ${notes} notes, ${words} words`;
      const lines = db.notes.map((note) => `  ${note.id}. ${note.text}`);
      send(res, 200, 'text/plain; charset=utf-8', [`notes (schema ${db.schema}, pid ${process.pid}):`, ...lines, summary, ''].join('\n'));
    },
    (error) => {
      console.error(`cannot read the database: ${error.message}`);
      send(res, 503, 'text/plain', 'database unavailable\n');
    },
  );
});

server.listen(port, host, () => console.log(`listening on http://${host}:${port}`));

// corral sends SIGTERM (stop_signal) to the process group: finish the requests in flight,
// close idle keep-alive connections from nginx, and exit 0 well within stop_timeout.
process.on('SIGTERM', () => {
  console.log('SIGTERM: closing');
  server.close(() => process.exit(0));
  server.closeIdleConnections();
  setTimeout(() => process.exit(0), 3000).unref();
});
