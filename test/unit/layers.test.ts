// The layers of src/ as the README draws them, on one line of its Development section,
// hold: every import in src/ goes along the arrows (or stays in its folder), and the
// lint rules in eslint.config.js forbid exactly what the drawing forbids, so a back-arrow
// fails `npm run lint`.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import ts from 'typescript';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SRC = join(ROOT, 'src');

// `src/  cli → control → … → shared`: the layers from the top, folders of one layer
// between `|`.
function drawnLayers(): string[][] {
  const lines = [...readFileSync(join(ROOT, 'README.md'), 'utf8').matchAll(/^src\/\s+(\S.*→.*)$/gm)];
  assert.equal(lines.length, 1, 'the README draws the layers once, on a line that starts with "src/"');
  return lines[0]![1]!.split('→').map((layer) => layer.split('|').map((folder) => folder.trim()));
}

const layers = drawnLayers();
const drawnFolders = layers.flat();
const layerOf = new Map(layers.flatMap((layer, index) => layer.map((folder) => [folder, index] as const)));

// May a module in src/`from`/ import one in src/`to`/? Only from its own folder or a
// layer below.
function allowed(from: string, to: string): boolean {
  const [fromLayer, toLayer] = [layerOf.get(from), layerOf.get(to)];
  return from === to || (fromLayer !== undefined && toLayer !== undefined && toLayer > fromLayer);
}

function folderOf(path: string): string {
  return relative(SRC, path).split(sep)[0]!;
}

// Every relative import (static, type-only, re-export or import()) of every module in src/.
function srcImports(): { file: string; from: string; to: string }[] {
  const files = readdirSync(SRC, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath, entry.name));
  return files.flatMap((file) =>
    ts
      .preProcessFile(readFileSync(file, 'utf8'), true, true)
      .importedFiles.map((imported) => imported.fileName)
      .filter((specifier) => specifier.startsWith('.'))
      .map((specifier) => ({ file: `${relative(ROOT, file)} imports ${specifier}`, from: folderOf(file), to: folderOf(resolve(dirname(file), specifier)) })),
  );
}

describe('the layers of src/', () => {
  test('the README draws every folder of src/, each once', () => {
    const folders = readdirSync(SRC, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
    assert.deepEqual([...drawnFolders].sort(), folders.sort());
  });

  test('every import in src/ goes along the arrows, from a layer to one below it', () => {
    const imports = srcImports();
    assert.ok(imports.length > 100, `found only ${imports.length} imports: is src/ read?`);
    const against = imports.filter(({ from, to }) => !allowed(from, to)).map(({ file, from, to }) => `${file} (${from}/ → ${to}/)`);
    assert.deepEqual(against, []);
  });
});

describe('eslint holds the layers', () => {
  // The rules of eslint.config.js, without the type-checked ones: these texts are not
  // files of the TypeScript project, and the layers need no types.
  const eslint = new ESLint({ cwd: ROOT, overrideConfig: tseslint.configs.disableTypeChecked });

  async function restrictedImports(text: string, filePath: string): Promise<string[]> {
    const [result] = await eslint.lintText(text, { filePath: join(ROOT, filePath) });
    assert.deepEqual(
      result!.messages.filter((message) => message.fatal),
      [],
    );
    return result!.messages.filter((message) => message.ruleId === 'no-restricted-imports').map((message) => message.message);
  }

  test('an import from each folder into each other one fails lint exactly when the drawing forbids it', async () => {
    const mismatches: string[] = [];
    for (const from of drawnFolders) {
      for (const to of drawnFolders) {
        if (from === to) continue;
        const errors = await restrictedImports(`import '../${to}/anything.js';\n`, `src/${from}/layers-probe.ts`);
        if (errors.length > 0 === allowed(from, to))
          mismatches.push(`${from}/ → ${to}/: ${errors.length > 0 ? 'lint fails, the drawing allows it' : 'lint passes, the drawing forbids it'}`);
      }
    }
    assert.deepEqual(mismatches, []);
  });

  test('a back-arrow fails npm run lint: the fixture, a module of process/ importing from supervisor/', async () => {
    const text = readFileSync(join(ROOT, 'test/fixtures/layers/back-arrow.ts.txt'), 'utf8');
    const errors = await restrictedImports(text, 'src/process/back-arrow.ts');
    assert.equal(errors.length, 1, JSON.stringify(errors));
    assert.match(errors[0]!, /'..\/supervisor\/supervisor.js' import is restricted .* supervisor\/ is not below process\/ in the layers/);
  });

  test('child_process stays with the process starters (spawn.ts, run-check.ts)', async () => {
    const text = "import { spawn } from 'node:child_process';\nimport { exec } from 'child_process';\nexport const both = [exec, spawn];\n";
    assert.equal((await restrictedImports(text, 'src/supervisor/launch.ts')).length, 2);
    assert.equal((await restrictedImports(text, 'src/process/exec-shim.ts')).length, 2);
    assert.deepEqual(await restrictedImports(text, 'src/process/spawn.ts'), []);
    assert.deepEqual(await restrictedImports(text, 'src/process/run-check.ts'), []);
  });

  test('execa is imported nowhere in src/, the process starters included (issue 20: RSS and start-up time)', async () => {
    const text = "import { execa } from 'execa';\nexport const run = execa;\n";
    for (const file of ['src/supervisor/launch.ts', 'src/process/exec-shim.ts', 'src/process/spawn.ts', 'src/process/run-check.ts', 'src/cli/main.ts']) {
      const errors = await restrictedImports(text, file);
      assert.equal(errors.length, 1, `${file}: ${JSON.stringify(errors)}`);
      assert.match(errors[0]!, /'execa' import is restricted/);
    }
  });
});
