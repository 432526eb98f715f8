// The client commands in the cost benchmark (bench/cost.ts): `corral health` and `corral
// status` against a corral running as PID 1 with 10 services, interleaved with `node -e 0`
// (corral's V8 flags), all run from the host as a user would run them: wall time from
// spawn() to exit and peak RSS (bench/control-measure.ts runClient).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { corralMain, corralNodeFlags, pollFor } from '../test/helpers/corral-process.js';
import { runClient, type ClientRun } from './control-measure.js';
import { servicesUp, using, type Pid1 } from './cost-pid1.js';

const SERVICES = 10;

export const CLIENTS = ['node -e 0', 'corral health', 'corral status'] as const;
export type ClientName = (typeof CLIENTS)[number];

function argvOf(name: ClientName): string[] {
  if (name === 'node -e 0') return [process.execPath, ...corralNodeFlags, '-e', '0'];
  return [process.execPath, ...corralNodeFlags, corralMain, name.split(' ')[1]!];
}

// `runs` runs of each client, one after another in turn, after one of each that is not
// counted (it brings the files into the page cache).
export async function measureClients(corral: Pid1, runs: number): Promise<Map<ClientName, ClientRun[]>> {
  const services = Array.from({ length: SERVICES }, (_, i) => ({ name: `s${i}`, argv: ['sleep', '100000'] }));
  return using(corral, services, async (running) => {
    await servicesUp(running, 'corral', 'sleep', SERVICES);
    const runDir = join(running.dir, 'run');
    await pollFor("corral's control socket", 10_000, () => (existsSync(join(runDir, 'control.sock')) ? true : undefined));
    const env = { ...process.env, CORRAL_RUN_DIR: runDir };
    const result = new Map<ClientName, ClientRun[]>(CLIENTS.map((name) => [name, []]));
    for (let i = -1; i < runs; i++) {
      for (const name of CLIENTS) {
        const run = await runClient(argvOf(name), env, running.dir);
        if (i >= 0) result.get(name)!.push(run);
      }
    }
    return result;
  });
}
