#!/usr/bin/env node
// Runs before `npm start` and `npm test`, so that each is the only command a fresh clone
// needs: installs the dependencies (which builds the addon and the TypeScript) when they
// are missing, and otherwise rebuilds what is out of date. Each step says one line; what
// npm and the compilers print is shown only when a step fails, so that corral's own first
// lines are the first thing `npm start` shows.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const npm = process.env.npm_execpath;

function run(args, what) {
  if (what) process.stderr.write(`corral: ${what}\n`);
  const [command, commandArgs] = npm ? [process.execPath, [npm, ...args]] : ['npm', args];
  const result = spawnSync(command, commandArgs, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) {
    process.stderr.write(`${result.stdout ?? ''}${result.stderr ?? ''}`);
    process.stderr.write(`corral: npm ${args.join(' ')} failed (${result.status ?? result.signal ?? result.error?.message}); its output is above\n`);
    process.exit(result.status || 1);
  }
}

// Missing, or older than a source file (a pull added a function): rebuild, or corral would
// load an addon without the function it calls.
function addonOutOfDate() {
  const built = join(root, 'addon', 'build', 'Release', 'corral_native.node');
  if (!existsSync(built)) return true;
  const sources = [join(root, 'addon', 'binding.gyp'), ...readdirSync(join(root, 'addon', 'src')).map((file) => join(root, 'addon', 'src', file))];
  const builtAt = statSync(built).mtimeMs;
  return sources.some((file) => statSync(file).mtimeMs > builtAt);
}

if (!existsSync(join(root, 'node_modules', '.package-lock.json'))) {
  // Runs the install script (addon) and prepare (TypeScript).
  run(['ci', '--no-audit', '--no-fund'], 'first run: npm ci (installs the dependencies, builds the addon and the TypeScript; about a minute)');
} else {
  if (addonOutOfDate()) run(['run', 'install'], 'the addon is older than its sources: rebuilding it');
  run(['run', 'build']);
}
