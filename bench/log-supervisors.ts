// The supervisors of the log-relay benchmark, each configured to relay its services'
// stdout to its own stdout, as a container's logs need. Each runs as PID 1 (bench/log-run.ts).
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { corralNodeFlags } from '../test/helpers/corral-process.js';

export interface LogService {
  name: string;
  argv: string[];
}

export interface LogSupervisor {
  name: string;
  /** undefined when it can run here, else why not and how to install it. */
  missing: () => string | undefined;
  /** Writes its configuration for `services` into dir; returns its argv and environment. */
  prepare: (dir: string, services: LogService[]) => { argv: string[]; env: Record<string, string> };
  /** What it puts before each line: corral's label, or nothing. */
  prefix: 'corral' | 'none';
  /** Its own messages on stdout, as a regular expression: not the services' lines, not torn. */
  ownLine?: string;
  /** false when PID 1 is only a shell that started the services: no relay to measure. */
  relays: boolean;
}

/** corral's label column: at least as wide as its own name, 'corral'. */
export function corralWidth(services: LogService[]): number {
  return Math.max('corral'.length, ...services.map((service) => service.name.length));
}

function installed(command: string, packageName: string): string | undefined {
  return spawnSync('sh', ['-c', `command -v ${command}`]).status === 0 ? undefined : `${command} is not installed (apt-get install ${packageName})`;
}

// pm2 is a peer, never a dependency of corral: npm run bench:setup installs it into
// bench/.peers (PEERS_PREFIX), a folder of its own.
export const PEERS_PREFIX = fileURLToPath(new URL('./.peers/', import.meta.url));

function pm2Runtime(): string | undefined {
  try {
    return join(dirname(createRequire(join(PEERS_PREFIX, 'package.json')).resolve('pm2/package.json')), 'bin', 'pm2-runtime');
  } catch {
    return undefined;
  }
}

/** corralNodeArgs: options for the node that runs corral, e.g. --cpu-prof to profile it. */
export function logSupervisors(corralMain: string, corralNodeArgs: string[] = []): LogSupervisor[] {
  return [
    {
      // Not a supervisor: the services write straight into the shared pipe, as under s6,
      // runit or tini. The ceiling for MB/s, and what a relay is for: writes of more
      // than 4096 bytes into a pipe are not atomic, so lines of different services mix.
      name: 'none (shared pipe)',
      missing: () => undefined,
      prepare: (_dir, services) => ({
        argv: ['sh', '-c', `${services.map((service) => `${service.argv.join(' ')} &`).join(' ')} wait`],
        env: {},
      }),
      prefix: 'none',
      relays: false,
    },
    {
      name: 'corral',
      missing: () => undefined,
      prepare: (dir, services) => {
        const servicesDir = join(dir, 'services.d');
        mkdirSync(servicesDir);
        for (const service of services) writeFileSync(join(servicesDir, `${service.name}.yaml`), `command: ${JSON.stringify(service.argv)}\n`);
        return {
          argv: [process.execPath, ...corralNodeFlags, ...corralNodeArgs, corralMain, '--services', servicesDir],
          env: { CORRAL_RUN_DIR: join(dir, 'run') },
        };
      },
      prefix: 'corral',
      relays: true,
    },
    {
      // No prefix: stdout_logfile=/dev/stdout passes the bytes through as read. silent
      // keeps supervisord's own log off stdout; autorestart=false so nothing runs twice.
      name: 'supervisord',
      missing: () => installed('supervisord', 'supervisor'),
      prepare: (dir, services) => {
        const programs = services.map((service) =>
          [
            `[program:${service.name}]`,
            `command=${service.argv.join(' ')}`,
            'startsecs=0',
            'autorestart=false',
            'stdout_logfile=/dev/stdout',
            'stdout_logfile_maxbytes=0',
            'stderr_logfile=/dev/stderr',
            'stderr_logfile_maxbytes=0',
            '',
          ].join('\n'),
        );
        const conf = [
          '[supervisord]',
          'nodaemon=true',
          'silent=true',
          'logfile=/dev/null',
          'logfile_maxbytes=0',
          `pidfile=${dir}/supervisord.pid`,
          `childlogdir=${dir}`,
          'user=root',
          '',
          ...programs,
        ].join('\n');
        writeFileSync(join(dir, 'supervisord.conf'), conf);
        return { argv: ['supervisord', '-c', join(dir, 'supervisord.conf')], env: {} };
      },
      prefix: 'none',
      relays: true,
    },
    {
      // pm2-runtime's default output is the raw line, no prefix, with its own
      // "<time>: PM2 log: ..." lines in between. PM2_HOME in the run's directory keeps
      // ~/.pm2 untouched. Its default also writes every line to $PM2_HOME/logs.
      name: 'pm2-runtime',
      missing: () => (pm2Runtime() === undefined ? 'pm2 is not installed (npm install --save-dev pm2)' : undefined),
      prepare: (dir, services) => {
        const apps = services.map((service) => ({
          name: service.name,
          script: service.argv[0],
          args: service.argv.slice(1),
          interpreter: 'none',
          autorestart: false,
        }));
        writeFileSync(join(dir, 'ecosystem.json'), JSON.stringify({ apps }, null, 2));
        return { argv: [process.execPath, pm2Runtime()!, join(dir, 'ecosystem.json')], env: { PM2_HOME: join(dir, 'pm2-home') } };
      },
      prefix: 'none',
      ownLine: '^\\S+: PM2 (log|error|warn): ',
      relays: true,
    },
  ];
}
