#!/usr/bin/env node
// Builds addon/ (the reaper addon) with npm's bundled node-gyp against the headers of the
// node that runs this script. node-gyp without --nodedir downloads headers from the
// internet, which fails offline and can mismatch the running node, so we always pass
// --nodedir and refuse to build rather than fall back to a download. node-gyp's output
// (a hundred lines) is shown only when the build fails: npm runs this install script in
// the foreground, and on a fresh clone `npm start` would bury corral's first lines under it.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function fail(message) {
  process.stderr.write(`corral: cannot build the native addon: ${message}\n`);
  process.exit(1);
}

// The version in include/node/node_version.h, or undefined when the file is missing.
function headerVersion(dir) {
  const file = join(dir, 'include', 'node', 'node_version.h');
  if (!existsSync(file)) return undefined;
  const text = readFileSync(file, 'utf8');
  const part = (name) => new RegExp(`#define ${name} (\\d+)`).exec(text)?.[1];
  return `${part('NODE_MAJOR_VERSION')}.${part('NODE_MINOR_VERSION')}.${part('NODE_PATCH_VERSION')}`;
}

function findNodeDir() {
  const candidates = [process.env.npm_config_nodedir, resolve(dirname(process.execPath), '..')].filter(Boolean);
  const seen = [];
  for (const dir of candidates) {
    const version = headerVersion(dir);
    seen.push(`${dir} (${version ? `headers for ${version}` : 'no headers'})`);
    if (version === process.versions.node && existsSync(join(dir, 'include', 'node', 'common.gypi'))) {
      return dir;
    }
  }
  return fail(
    `no Node.js headers for ${process.versions.node} were found; looked in ${seen.join(', ')}.\n` +
      `  Install the headers that match this node (Debian: apt-get install nodejs-dev or libnode-dev;\n` +
      `  the official tarballs and node:* images ship them in <prefix>/include/node), or point\n` +
      `  npm_config_nodedir at a directory holding include/node for this exact version.`,
  );
}

function findNodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ].filter(Boolean);
  const found = candidates.find((file) => existsSync(file));
  return found ?? fail(`npm's bundled node-gyp was not found (looked in ${candidates.join(', ')}); run this through npm.`);
}

function requireTool(tool, hint) {
  const probe = spawnSync(tool, ['--version'], { stdio: 'ignore' });
  if (probe.error || probe.status !== 0) fail(`'${tool}' is missing: ${hint}`);
}

requireTool('python3', 'node-gyp needs python3 (Debian: apt-get install python3).');
requireTool('make', 'node-gyp needs make (Debian: apt-get install make).');
requireTool(process.env.CXX ?? 'g++', 'node-gyp needs a C++ compiler (Debian: apt-get install g++).');

const nodedir = findNodeDir();
const gyp = findNodeGyp();
const started = Date.now();
const result = spawnSync(process.execPath, [gyp, 'rebuild', `--directory=${join(root, 'addon')}`, `--nodedir=${nodedir}`], {
  stdio: ['ignore', 'pipe', 'pipe'],
  cwd: root,
  maxBuffer: 64 * 1024 * 1024,
});
if (result.status !== 0) {
  process.stderr.write(`${result.stdout ?? ''}${result.stderr ?? ''}`);
  fail(`node-gyp exited with ${result.status ?? result.signal ?? result.error?.message}; see its output above.`);
}
process.stderr.write(`corral: built the native addon and svexec in ${((Date.now() - started) / 1000).toFixed(1)}s (addon/build/Release)\n`);
