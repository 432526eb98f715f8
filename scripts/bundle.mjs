#!/usr/bin/env node
// Builds dist/ from src/ as a bundle (issue 20): node resolving, reading and compiling
// some 300 modules one by one took most of corral's start-up, and keeping their module
// records most of its idle memory beyond Node's own. esbuild (a devDependency; tsx uses
// it too) writes:
//   dist/cli/main.js            the bin: what every command loads first
//   dist/config/load-worker.cjs the worker thread that reads the services directory:
//                               src/config/cached-load-worker.ts, which compiles
//   dist/config/load-reply.cjs  its body (zod, yaml, the checks) from V8's code cache,
//   dist/config/load-reply.cjs.cache  written by running it once (write-code-cache.mjs)
//   dist/chunks/*.js            code shared by the two, and what only some paths load
//                               through import() (the running corral, the client
//                               commands, the metrics server, check/print/schema)
// Splitting keeps import() lazy: a chunk holds the modules that the same entries reach, so
// a client command still never loads zod, yaml or the supervisor. Every output file sits
// two folders below the package root, as src/'s modules do, so the paths modules take
// from import.meta.url (../../addon/..., ../../package.json, ../config/load-worker.cjs)
// hold in both layouts. No type checking here: `npm run typecheck` does that.
import { spawnSync } from 'node:child_process';
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');

// Files of an older layout (tsc wrote one file per module) must not linger beside the bundle.
rmSync(dist, { recursive: true, force: true });
// Some dependencies are CommonJS and call require() for Node's own modules, which an
// ES module lacks: give each output file one. Everything else is in the bundle, so it
// only has to give Node's own modules, and process.getBuiltinModule does that without
// loading node:module (createRequire) and the source-map support that comes with it.
const esmRequire =
  'const require = (id) => process.getBuiltinModule(id) ?? ' +
  "(() => { throw new Error(`corral's bundle asked for ${id}, which is not one of Node's own modules: rebuild it with npm run build`); })();";
await build({
  absWorkingDir: root,
  entryPoints: { 'cli/main': 'src/cli/main.ts' },
  outdir: dist,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  banner: { js: esmRequire },
  logLevel: 'warning',
});
// The worker thread's entry, as CommonJS: a worker whose entry is an ES module starts
// Node's ES module loader first, which took it some 10 ms longer to begin reading the
// services directory, on the way to the first service (issue 20).
const commonJsUrl = "const corralImportMetaUrl = require('node:url').pathToFileURL(__filename).href;";
await build({
  absWorkingDir: root,
  entryPoints: ['src/config/cached-load-worker.ts'],
  outfile: join(dist, 'config', 'load-worker.cjs'),
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  define: { 'import.meta.url': 'corralImportMetaUrl' },
  banner: { js: commonJsUrl },
  logLevel: 'warning',
});
// The worker's body as CommonJS, a script vm.Script can compile with cached data. Its
// import.meta.url (the addon's path) is the file's own URL, as in the ES modules.
// Without its whitespace and with its syntax shortened (names are kept, so errors read
// the same): V8 holds the source, and what it derives from it, while the first load
// runs, and that load is corral's peak RSS at start (VmHWM 57.9 -> 55.2 MiB with 20
// services). The main bundle is left readable: minified, it saved nothing measurable.
await build({
  absWorkingDir: root,
  entryPoints: ['src/config/load-reply.ts'],
  outfile: join(dist, 'config', 'load-reply.cjs'),
  bundle: true,
  format: 'cjs',
  minifyWhitespace: true,
  minifySyntax: true,
  platform: 'node',
  target: 'node20',
  define: { 'import.meta.url': 'corralImportMetaUrl' },
  banner: { js: commonJsUrl },
  logLevel: 'warning',
});
// The bin is run directly (its #! line gives corral's V8 flags).
chmodSync(join(dist, 'cli', 'main.js'), 0o755);
// Node finds each ES module's package scope by looking for package.json in its folder
// and each one above. Without this file it tried dist/chunks/, dist/ and only then the
// root, for each module, in both threads: enough calls to make one of Node's own functions
// hot, so that V8 started its optimizing compiler, whose code then stayed resident, about
// 3.5 MiB of an idle corral (issue 20).
writeFileSync(join(dist, 'package.json'), `${JSON.stringify({ type: 'module' })}\n`);

// With the V8 flags of the bin's #! line, which the cache must match.
const flags = readFileSync(join(root, 'src', 'cli', 'main.ts'), 'utf8')
  .split('\n', 1)[0]
  .replace(/^#!\/usr\/bin\/env -S node ?/, '')
  .split(' ')
  .filter((flag) => flag !== '');
const cache = spawnSync(process.execPath, [...flags, join(root, 'scripts', 'write-code-cache.mjs')], { stdio: 'inherit' });
if (cache.status !== 0) {
  process.stderr.write(`bundle: writing the load worker's code cache failed (${cache.status ?? cache.signal}); see above\n`);
  process.exit(1);
}
