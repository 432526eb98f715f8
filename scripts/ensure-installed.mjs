#!/usr/bin/env node
// Runs before `npm start` and `npm test`, so that each is the only command a fresh clone
// needs: installs the dependencies (which builds the addon and the TypeScript) when they
// are missing, and otherwise rebuilds what is out of date.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const npm = process.env.npm_execpath;

function run(args) {
  const [command, commandArgs] = npm ? [process.execPath, [npm, ...args]] : ['npm', args];
  const result = spawnSync(command, commandArgs, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

if (!existsSync(join(root, 'node_modules', '.package-lock.json'))) {
  run(['ci']); // runs the install script (addon) and prepare (TypeScript)
} else {
  if (!existsSync(join(root, 'addon', 'build', 'Release', 'corral_native.node'))) run(['run', 'install']);
  run(['run', 'build']);
}
