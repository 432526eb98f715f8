// svexec, the exec shim, run directly: what the executed command sees (ids, groups,
// limits, umask, cwd, fds, signal dispositions, pid) and what the status fd says when a
// step fails. Needs root, since switching users is the point.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import type { StdioOptions } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { lookupUser, parseGroup, readGroupFile, readPasswdFile, supplementaryGroups } from '../../src/config/accounts.js';
import { defaultShimPath } from '../../src/native/addon.js';
import { scratchDir } from '../helpers/scratch.js';

const shim = defaultShimPath;
const deadlineMs = 10_000;
const isRoot = process.getuid?.() === 0;
const skip = !existsSync(shim) ? `${shim} is not built (node scripts/build-native.mjs)` : !isRoot ? 'needs root' : false;

// The shim's options that report on fd 3 and switch to nobody (65534:65534) with its groups.
const asNobody = ['--status-fd', '3', '--user', 'nobody', '--uid', '65534', '--gid', '65534'];

interface ShimRun {
  pid: number | undefined;
  code: number | null;
  stdout: string;
  stderr: string;
  /** Everything written to fd 3 until EOF. */
  status: string;
}

// Runs `command` with a status pipe on fd 3 and, if asked, an extra open pipe on fd 7
// that the shim must close. Fails after deadlineMs, killing the process.
function run(command: string, args: string[], options: { extraFd7?: boolean } = {}): Promise<ShimRun> {
  const stdio: StdioOptions = ['ignore', 'pipe', 'pipe', 'pipe'];
  if (options.extraFd7) stdio.push('ignore', 'ignore', 'ignore', 'pipe');
  const child = spawn(command, args, { stdio });
  const texts = [1, 2, 3].map((fd) => {
    const chunks: Buffer[] = [];
    const stream = child.stdio[fd] as NodeJS.ReadableStream;
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    return new Promise<string>((resolve) => stream.on('close', () => resolve(Buffer.concat(chunks).toString('utf8'))));
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} ${args.join(' ')} did not finish within ${deadlineMs} ms`));
    }, deadlineMs);
  });
  const done = Promise.all([exited, ...texts]).then(([code, stdout = '', stderr = '', status = '']) => ({
    pid: child.pid,
    code,
    stdout,
    stderr,
    status,
  }));
  return Promise.race([done, deadline]).finally(() => clearTimeout(timer));
}

function svexec(args: string[], options: { extraFd7?: boolean } = {}): Promise<ShimRun> {
  return run(shim, args, options);
}

test('svexec: switches to nobody and applies limits, umask and cwd, in the same pid', { skip }, async (t) => {
  const dir = join(scratchDir(t), 'app');
  mkdirSync(dir);
  chmodSync(join(dir, '..'), 0o755);
  // ls -C writes the shell's fds on one line, with no pipe of the shell's own open while
  // it reads them (a pipeline's pipe made fd 3 show up now and then); `; exit` keeps the
  // shell from exec'ing ls in its place.
  const script = 'echo $$; id -u; id -g; id -G; ulimit -n; ulimit -Hn; umask; pwd; ls -C /proc/$$/fd; exit 0';
  const result = await svexec([...asNobody, '--umask', '0027', '--rlimit', 'nofile=1024:4096', '--chdir', dir, '--', 'sh', '-c', script], { extraFd7: true });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.status, '', 'a successful exec closes the status fd with no data');
  const [pid, uid, gid, groups, soft, hard, umask, cwd, fds] = result.stdout.trimEnd().split('\n');
  assert.equal(Number(pid), result.pid, 'the shim execs in place: its pid is the service pid');
  assert.deepEqual([uid, gid, groups], ['65534', '65534', '65534']);
  assert.deepEqual([soft, hard], ['1024', '4096']);
  assert.equal(umask, '0027');
  assert.equal(cwd, dir);
  // fd 3 (the status fd) is close-on-exec and fd 7 was closed: only stdio remains.
  assert.deepEqual(fds?.trim().split(/\s+/), ['0', '1', '2']);
});

// A user listed as a member of some group, so initgroups has something to add. Uses one
// the machine has; else makes a temporary user and group and removes them afterwards.
let member: { name: string; uid: number; gid: number } | undefined;
const cleanups: string[][] = [];

before(() => {
  if (skip) return;
  const passwd = readPasswdFile();
  for (const group of parseGroup(readGroupFile())) {
    const user = group.members.map((name) => lookupUser(name, passwd)).find((found) => found?.name !== undefined);
    if (user?.name !== undefined) {
      member = { name: user.name, uid: user.uid, gid: user.gid };
      return;
    }
  }
  const name = `corral-svx-${process.pid}`;
  const commands = [
    ['groupadd', name],
    ['useradd', '--no-create-home', '--no-user-group', '--gid', '65534', '--groups', name, '--shell', '/usr/sbin/nologin', name],
  ];
  for (const [command, ...args] of commands) {
    const made = spawnSync(command!, args, { encoding: 'utf8', timeout: deadlineMs });
    if (made.status !== 0) return;
    cleanups.unshift(command === 'groupadd' ? ['groupdel', name] : ['userdel', name]);
  }
  const user = lookupUser(name, readPasswdFile());
  if (user) member = { name, uid: user.uid, gid: user.gid };
});

after(() => {
  for (const [command, ...args] of cleanups) spawnSync(command!, args, { stdio: 'ignore', timeout: deadlineMs });
});

test("svexec: --user with --gid applies the user's supplementary groups (initgroups)", { skip }, async (t) => {
  if (!member) {
    t.skip('no user with supplementary groups, and useradd/groupadd failed');
    return;
  }
  const expected = supplementaryGroups(member.name, member.gid, readGroupFile());
  assert.ok(expected.length > 1, `${member.name} should have supplementary groups`);
  const result = await svexec(['--status-fd', '3', '--user', member.name, '--uid', String(member.uid), '--gid', String(member.gid), '--', 'id', '-G']);
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(result.stdout.trim().split(' ').map(Number).sort(), [...expected].sort());
});

test('svexec: --groups sets exactly those groups; --gid alone leaves only the gid', { skip }, async () => {
  const listed = await svexec(['--uid', '65534', '--gid', '65534', '--groups', '65534,100', '--', 'id', '-G']);
  assert.equal(listed.stdout.trim(), '65534 100');
  const onlyGid = await svexec(['--gid', '100', '--', 'id', '-G']);
  assert.equal(onlyGid.stdout.trim(), '100');
  const none = await svexec(['--groups', '', '--', 'sh', '-c', 'grep ^Groups: /proc/self/status']);
  assert.equal(none.stdout.trim(), 'Groups:');
});

test('svexec: ignored signals are reset to their defaults before exec', { skip }, async () => {
  // The shell ignores INT and TERM and the ignoring survives exec, unless the shim resets it.
  const result = await run('sh', ['-c', `trap "" INT TERM; exec ${shim} -- grep ^SigIgn /proc/self/status`]);
  assert.equal(result.stdout.trim(), 'SigIgn:\t0000000000000000');
  const control = await run('sh', ['-c', 'trap "" INT TERM; exec grep ^SigIgn /proc/self/status']);
  assert.equal(control.stdout.trim(), 'SigIgn:\t0000000000004002');
});

test('svexec: failures are one "STEP ERRNO" line on the status fd, and exit 127', { skip }, async () => {
  const cases: { args: string[]; status: string }[] = [
    { args: ['--', 'corral-no-such-command'], status: 'exec 2\n' },
    { args: ['--chdir', '/corral/no/such/dir', '--', 'true'], status: 'chdir 2\n' },
    { args: ['--rlimit', 'nofile=100:10', '--', 'true'], status: 'rlimit 22\n' },
    { args: ['--bogus', '1', '--', 'true'], status: 'usage 0\n' },
    { args: ['--uid', '12x', '--', 'true'], status: 'usage 0\n' },
    { args: ['--rlimit', 'files=1:1', '--', 'true'], status: 'usage 0\n' },
    { args: ['--umask', '9', '--', 'true'], status: 'usage 0\n' },
    { args: ['--chdir', '/'], status: 'usage 0\n' },
  ];
  for (const { args, status } of cases) {
    const result = await svexec(['--status-fd', '3', ...args]);
    assert.deepEqual([result.status, result.code], [status, 127], args.join(' '));
    if (status === 'usage 0\n') assert.match(result.stderr, /^svexec: .*\nusage: svexec/, args.join(' '));
  }
});

test('svexec: a usage error before --status-fd still reaches the status fd', { skip }, async () => {
  const result = await svexec(['--bogus', '1', '--status-fd', '3', '--', 'true']);
  assert.deepEqual([result.status, result.code], ['usage 0\n', 127]);
});

test('svexec: without a status fd, failures go to stderr in words', { skip }, async () => {
  const result = await svexec(['--', 'corral-no-such-command']);
  assert.deepEqual([result.code, result.status, result.stderr], [127, '', 'svexec: exec: No such file or directory\n']);
});

test('svexec: run as a non-root user, switching users fails with "setuid 1"', { skip }, async (t) => {
  if (spawnSync('setpriv', ['--version'], { stdio: 'ignore' }).error) {
    t.skip('setpriv is not installed');
    return;
  }
  const result = await run('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', shim, '--status-fd', '3', '--uid', '0', '--', 'true']);
  assert.deepEqual([result.status, result.code], ['setuid 1\n', 127]);
  const groups = await run('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', shim, ...asNobody, '--', 'true']);
  assert.deepEqual([groups.status, groups.code], ['initgroups 1\n', 127]);
});
