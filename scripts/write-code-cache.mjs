// Writes dist/config/load-reply.cjs.cache, V8's code cache for the load worker's body
// (src/config/cached-load-worker.ts), by running the built worker once on a small
// services directory and having it save what V8 compiled. scripts/bundle.mjs runs this
// with corral's own V8 flags (its bin's #! line): V8 takes a cache only from the same
// version with the same flags.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

const worker = new URL('../dist/config/load-worker.cjs', import.meta.url);
const dir = mkdtempSync(join(tmpdir(), 'corral-code-cache-'));
// What most service files say, so that the code for them is compiled, and cached, too.
writeFileSync(join(dir, 'db.yaml'), 'command: [sleep, "100000"]\nready:\n  exec: ["true"]\n  timeout: 10s\nenvironment:\n  A: "${A:-1}"\n');
writeFileSync(join(dir, 'web.yaml'), 'command: exec sleep 100000\ndepends_on: [db]\nrestart: always\nbackoff: {initial: 1s, max: 10s}\nstop_timeout: 5s\n');
try {
  const reply = await new Promise((resolve, reject) => {
    const thread = new Worker(worker, {
      workerData: { dir, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, self: { uid: 0, gid: 0, canSwitchUser: true }, writeCodeCache: true },
    });
    let answer;
    thread.once('message', (message) => (answer = message));
    thread.once('error', reject);
    thread.once('exit', (code) =>
      code === 0 && answer ? resolve(answer) : reject(new Error(`the load worker ended with code ${code} and ${answer ? 'an' : 'no'} answer`)),
    );
  });
  if (!('services' in reply)) throw new Error(`the sample services did not load: ${JSON.stringify(reply.problems)}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
