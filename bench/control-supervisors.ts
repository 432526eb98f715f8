// The supervisors of the control-plane benchmark (bench/control.ts), each as PID 1 of a
// PID namespace with the same long-running services, and how each one's control plane is
// asked: its own status client, and a burst of cheap calls over its socket. The PID-1
// configurations are the log benchmark's (bench/log-supervisors.ts); supervisord's gets the
// sections its control socket needs, which are not there by default.
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { createRequire } from 'node:module';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { childrenOf, corralMain, corralNodeFlags, descendantsOf, pollFor } from '../test/helpers/corral-process.js';
import { logSupervisors, type LogService, type LogSupervisor } from './log-supervisors.js';

const CALL_TIMEOUT_MS = 30_000;

export interface ClientCommand {
  /** As a user types it, for the report. */
  label: string;
  argv: string[];
  env: NodeJS.ProcessEnv;
}

export interface Burst {
  /** What each call is, for the report. */
  what: string;
  call: () => Promise<void>;
}

export interface Running {
  pid1: number;
  /** Its scratch directory, also for the clients' own files. */
  dir: string;
  clients: ClientCommand[];
  burst: Burst;
  stop: () => Promise<void>;
}

interface Control {
  clients: ClientCommand[];
  /** true once the control socket exists. */
  listening: () => boolean;
  burst: Burst;
}

export interface ControlSupervisor {
  name: 'corral' | 'supervisord' | 'pm2-runtime';
  /** undefined when it can run here, else why not and how to install it. */
  missing: () => string | undefined;
  start: (services: LogService[], env?: Record<string, string>) => Promise<Running>;
}

// This process's environment less corral's settings, which would change what corral does.
function baseEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('CORRAL_')));
}

const controls: Record<ControlSupervisor['name'], (dir: string, argv: string[]) => Control> = {
  corral: (dir) => {
    const socket = join(dir, 'run', 'control.sock');
    const env = { ...baseEnv(), CORRAL_RUN_DIR: join(dir, 'run') };
    const client = (command: string): ClientCommand => ({ label: `corral ${command}`, argv: [process.execPath, ...corralNodeFlags, corralMain, command], env });
    return {
      clients: [client('status'), client('health')],
      listening: () => existsSync(socket),
      burst: { what: '`{"command":"health"}` on the control socket', call: () => askCorral(socket) },
    };
  },
  supervisord: (dir, argv) => {
    const conf = argv[argv.length - 1]!;
    const socket = join(dir, 'supervisor.sock');
    appendFileSync(
      conf,
      [
        '',
        '[unix_http_server]',
        `file=${socket}`,
        '[rpcinterface:supervisor]',
        'supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface',
        '[supervisorctl]',
        `serverurl=unix://${socket}`,
        '',
      ].join('\n'),
    );
    return {
      clients: [{ label: 'supervisorctl status', argv: ['supervisorctl', '-c', conf, 'status'], env: baseEnv() }],
      listening: () => existsSync(socket),
      burst: { what: 'XML-RPC `supervisor.getState` (HTTP POST) on its unix socket', call: () => askSupervisord(socket) },
    };
  },
  'pm2-runtime': (dir, argv) => {
    // The pm2 CLI next to the pm2-runtime the log benchmark found; the same PM2_HOME, so
    // it talks to the daemon inside pm2-runtime (PID 1) instead of starting one.
    const pm2 = join(dirname(argv[1]!), 'pm2');
    const home = join(dir, 'pm2-home');
    return {
      clients: [{ label: 'pm2 jlist', argv: [process.execPath, pm2, 'jlist'], env: { ...baseEnv(), PM2_HOME: home } }],
      listening: () => existsSync(join(home, 'rpc.sock')),
      burst: { what: "`ping` over its RPC socket, with pm2's own client (pm2-axon-rpc)", call: () => askPm2(pm2, join(home, 'rpc.sock')) },
    };
  },
};

// corral's protocol: one JSON line each way, then corral closes.
function askCorral(path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    const chunks: Buffer[] = [];
    socket.setTimeout(CALL_TIMEOUT_MS, () => socket.destroy(new Error(`no answer within ${CALL_TIMEOUT_MS / 1000}s`)));
    socket.on('connect', () => socket.write('{"command":"health"}\n'));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => reject(new Error(error.code ?? error.message)));
    socket.on('end', () => {
      const answer = Buffer.concat(chunks).toString('utf8');
      if (/^\{"ok":true,"command":"health"/.test(answer)) resolve();
      else reject(new Error(`unexpected answer ${answer.slice(0, 80)}`));
      socket.destroy();
    });
  });
}

const GET_STATE = '<?xml version="1.0"?><methodCall><methodName>supervisor.getState</methodName><params></params></methodCall>';

// What supervisorctl does, without supervisorctl: an XML-RPC call over HTTP on the socket.
function askSupervisord(socketPath: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const post = request(
      {
        socketPath,
        path: '/RPC2',
        method: 'POST',
        agent: false,
        timeout: CALL_TIMEOUT_MS,
        headers: { 'Content-Type': 'text/xml', 'Content-Length': GET_STATE.length },
      },
      (response) => {
        let body = '';
        response.setEncoding('utf8').on('data', (text: string) => (body += text));
        response.on('end', () =>
          response.statusCode === 200 && body.includes('<name>statename</name>')
            ? resolve()
            : reject(new Error(`HTTP ${response.statusCode}: ${body.slice(0, 80)}`)),
        );
      },
    );
    post.on('timeout', () => post.destroy(new Error(`no answer within ${CALL_TIMEOUT_MS / 1000}s`)));
    post.on('error', (error: NodeJS.ErrnoException) => reject(new Error(error.code ?? error.message)));
    post.end(GET_STATE);
  });
}

interface AxonSocket {
  connect(path: string): unknown;
  close(): void;
  on(event: 'error', listener: (error: NodeJS.ErrnoException) => void): unknown;
}
interface AxonRpcClient {
  call(method: string, arg: object, callback: (error: Error | null, answer?: { msg?: string }) => void): void;
}
interface PmAxon {
  axon: { socket(type: 'req'): AxonSocket };
  RpcClient: new (socket: AxonSocket) => AxonRpcClient;
}

let pmAxon: PmAxon | undefined;

// The modules pm2's own CLI talks to its daemon with (pm2 ships them in pm2/modules).
function loadPmAxon(pm2Bin: string): PmAxon {
  const load = createRequire(pm2Bin);
  pmAxon ??= { axon: load('../modules/pm2-axon') as PmAxon['axon'], RpcClient: (load('../modules/pm2-axon-rpc') as { Client: PmAxon['RpcClient'] }).Client };
  return pmAxon;
}

function askPm2(pm2Bin: string, path: string): Promise<void> {
  const { axon, RpcClient } = loadPmAxon(pm2Bin);
  return new Promise((resolve, reject) => {
    const socket = axon.socket('req');
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error(`no answer within ${CALL_TIMEOUT_MS / 1000}s`));
    }, CALL_TIMEOUT_MS);
    socket.on('error', (error) => {
      clearTimeout(timer);
      socket.close();
      reject(new Error(error.code ?? error.message));
    });
    new RpcClient(socket).call('ping', {}, (error, answer) => {
      clearTimeout(timer);
      socket.close();
      if (error === null && answer?.msg === 'pong') resolve();
      else reject(new Error(error?.message ?? `unexpected answer ${JSON.stringify(answer)}`));
    });
    socket.connect(path);
  });
}

// pm2 runs a service by its full path (/usr/bin/sleep), the others as written.
function isService(pid: number, argv: string[]): boolean {
  try {
    const [command = '', ...args] = readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').slice(0, -1);
    return basename(command) === argv[0] && args.join(' ') === argv.slice(1).join(' ');
  } catch {
    return false;
  }
}

// Starts it as PID 1 and resolves once every service runs and its control socket exists.
async function startUnder(base: LogSupervisor, name: ControlSupervisor['name'], services: LogService[], env: Record<string, string>): Promise<Running> {
  const dir = mkdtempSync(join(tmpdir(), `bench-control-${name}-`));
  let unshare: ChildProcess | undefined;
  const stop = async (): Promise<void> => {
    if (unshare !== undefined && unshare.exitCode === null && unshare.signalCode === null) {
      const exited = new Promise((resolve) => unshare!.once('exit', resolve));
      // --kill-child: unshare's end SIGKILLs PID 1, and the kernel then ends the namespace.
      unshare.kill('SIGKILL');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const prepared = base.prepare(dir, services);
    const control = controls[name](dir, prepared.argv);
    unshare = spawn('unshare', ['--pid', '--fork', '--mount-proc', '--kill-child', ...prepared.argv], {
      stdio: 'ignore',
      env: { ...baseEnv(), ...prepared.env, ...env },
    });
    const parent = unshare.pid!;
    const pid1 = await pollFor(`${name} to start`, 10_000, () => childrenOf(parent)[0]?.pid);
    const up = (): number => descendantsOf(pid1).filter((pid) => services.some((service) => isService(pid, service.argv))).length;
    await pollFor(`${services.length} services under ${name}`, 30_000, () => (up() >= services.length ? true : undefined));
    await pollFor(`${name}'s control socket`, 10_000, () => (control.listening() ? true : undefined));
    return { pid1, dir, clients: control.clients, burst: control.burst, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

export function controlSupervisors(): ControlSupervisor[] {
  const names: ControlSupervisor['name'][] = ['corral', 'supervisord', 'pm2-runtime'];
  const bases = logSupervisors(corralMain);
  return names.map((name) => {
    const base = bases.find((candidate) => candidate.name === name)!;
    return { name, missing: base.missing, start: (services, env = {}) => startUnder(base, name, services, env) };
  });
}
