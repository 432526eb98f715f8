// What the long-running corral and the client commands load (issue 20): the modules
// reached from an entry through the imports that stay in the built JavaScript (not
// `import type`, not `export type`; with verbatimModuleSyntax every other import is
// kept), without following import(), which loads only on the paths that need it.
// zod and yaml are loaded by the worker thread that reads the configuration
// (load-worker.ts) and by check/print/schema; prom-client only with CORRAL_METRICS_ADDR.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const SRC = fileURLToPath(new URL('../../src', import.meta.url));

// Every module that loading `entry` loads with it: src/ paths relative to src/, and
// packages and Node's modules (node:net) by name.
function staticGraph(entry: string): Set<string> {
  const seen = new Set<string>();
  const pending = [join(SRC, entry)];
  while (pending.length > 0) {
    const file = pending.pop()!;
    const name = relative(SRC, file);
    if (seen.has(name)) continue;
    seen.add(name);
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022);
    for (const specifier of valueImports(source)) {
      if (specifier.startsWith('.')) pending.push(resolve(dirname(file), specifier.replace(/\.js$/, '.ts')));
      else if (specifier.startsWith('node:')) seen.add(specifier);
      else seen.add(specifier.split('/')[0]!.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!);
    }
  }
  return seen;
}

function valueImports(source: ts.SourceFile): string[] {
  return source.statements.flatMap((statement) => {
    if (ts.isImportDeclaration(statement) && !statement.importClause?.isTypeOnly) return [(statement.moduleSpecifier as ts.StringLiteral).text];
    if (ts.isExportDeclaration(statement) && !statement.isTypeOnly && statement.moduleSpecifier) return [(statement.moduleSpecifier as ts.StringLiteral).text];
    return [];
  });
}

const CONFIG_ONLY = ['zod', 'yaml', 'config/load-services.ts', 'config/schema.ts', 'config/service-file.ts', 'cli/config-commands.ts'];

describe('what each path loads', () => {
  test('the running corral (main.ts, then corral.ts) loads neither zod, yaml, execa, prom-client nor the configuration loader', () => {
    const loaded = new Set([...staticGraph('cli/main.ts'), ...staticGraph('cli/corral.ts')]);
    assert.ok(loaded.has('logging/logger.ts') && loaded.has('config/load-in-worker.ts'), 'the graph is followed');
    // The two modules that start processes are reached: execa's absence is not a gap in the graph.
    assert.ok(loaded.has('process/spawn.ts') && loaded.has('process/run-check.ts'), 'the graph reaches the process starters');
    for (const module of [...CONFIG_ONLY, 'execa', 'prom-client', 'control/metrics.ts']) assert.ok(!loaded.has(module), `corral loads ${module}`);
    // 2 MiB once loaded; probes.ts loads them on the first http probe.
    assert.ok(loaded.has('node:net'), 'the graph records Node modules');
    for (const module of ['node:http', 'node:https']) assert.ok(!loaded.has(module), `corral loads ${module}`);
  });

  // winston cost the running corral about 9 MiB and was used as a level check and a printf:
  // corral's own logger (logging/event-logger.ts) does that.
  test('no path loads winston, and it is no dependency any more', () => {
    const entries = ['cli/main.ts', 'cli/corral.ts', 'cli/client-command.ts', 'cli/config-commands.ts', 'config/load-worker.ts', 'control/metrics.ts'];
    const loaded = new Set(entries.flatMap((entry) => [...staticGraph(entry)]));
    assert.ok(loaded.has('logging/logger.ts') && loaded.has('prom-client') && loaded.has('zod'), 'the graph is followed');
    assert.ok(!loaded.has('winston'));
    const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as Record<string, Record<string, string> | undefined>;
    assert.deepEqual(
      ['dependencies', 'devDependencies', 'optionalDependencies'].filter((field) => manifest[field]?.winston !== undefined),
      [],
    );
  });

  test('the worker thread loads the configuration loader, with zod and yaml', () => {
    const loaded = staticGraph('config/load-worker.ts');
    for (const module of ['zod', 'yaml', 'config/load-services.ts', 'config/command-service.ts']) assert.ok(loaded.has(module), `the worker lacks ${module}`);
  });

  test('the built worker (cached-load-worker.ts) loads its body only from the code-cached script, not as modules', () => {
    const loaded = staticGraph('config/cached-load-worker.ts');
    assert.ok(loaded.has('config/send-load-reply.ts'), 'the graph is followed');
    for (const module of [...CONFIG_ONLY, 'config/load-reply.ts']) assert.ok(!loaded.has(module), `the cached worker loads ${module}`);
  });

  test('a client command (corral status, health, ...) loads none of zod, yaml, winston, execa, prom-client, croner', () => {
    const loaded = new Set([...staticGraph('cli/main.ts'), ...staticGraph('cli/client-command.ts')]);
    const heavy = [...loaded].filter((module) => ['zod', 'yaml', 'winston', 'execa', 'prom-client', 'croner'].includes(module) || CONFIG_ONLY.includes(module));
    assert.deepEqual(heavy, []);
    assert.ok(loaded.has('control/client.ts'), 'the graph is followed');
  });
});
