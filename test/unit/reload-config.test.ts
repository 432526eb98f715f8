// A reload (reload-config.ts) refuses whatever it could not load, a failed or hung worker
// thread included, and then leaves the services as they are: the supervisor is not asked
// to reload at all.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { reloader } from '../../src/cli/reload-config.js';
import { ConfigError } from '../../src/config/config-error.js';
import { LoaderError, type LoadInWorkerOptions, type LoadRequest } from '../../src/config/load-in-worker.js';
import type { ServiceConfig } from '../../src/config/service-config.js';
import { ownCredentials } from '../../src/process/credentials.js';
import { captureLogger } from '../helpers/capture-logger.js';

const trimMemory = (): void => undefined;

interface Fixture {
  reload: (why: string) => Promise<string[]>;
  logged: string[];
  applied: (readonly ServiceConfig[])[];
  shutdown: AbortController;
  loads: LoadInWorkerOptions[];
  /** What happened, in order: 'worker start' (onWorkerStart) and 'load'. */
  events: string[];
}

function fixture(load: (request: LoadRequest, options: LoadInWorkerOptions) => Promise<ServiceConfig[]>): Fixture {
  const { logger, lines: logged } = captureLogger();
  const applied: (readonly ServiceConfig[])[] = [];
  const loads: LoadInWorkerOptions[] = [];
  const events: string[] = [];
  const shutdown = new AbortController();
  const supervisor = {
    stopping: shutdown.signal,
    reload: (next: readonly ServiceConfig[]) => {
      applied.push(next);
      return Promise.resolve(undefined);
    },
  };
  const reload = reloader({
    servicesDir: '/etc/corral/services.d',
    supervisor,
    logger,
    request: () => ({ dir: '/etc/corral/services.d', env: {}, self: ownCredentials() }),
    onWorkerExit: trimMemory,
    onWorkerStart: () => events.push('worker start'),
    load: (request, options) => {
      loads.push(options);
      events.push('load');
      return load(request, options);
    },
  });
  return { reload, logged, applied, shutdown, loads, events };
}

describe('reloader', () => {
  test('a worker that failed: the reload is refused with its error, nothing is applied', async () => {
    const failure = new LoaderError('corral could not load /etc/corral/services.d: the worker thread that reads it failed: TypeError: x');
    const { reload, logged, applied } = fixture(() => Promise.reject(failure));
    await assert.rejects(reload('received SIGHUP'), (error) => error === failure);
    assert.deepEqual(applied, []);
    assert.deepEqual(logged, ['info: received SIGHUP: reloading /etc/corral/services.d', `error: reload refused, nothing was changed: ${failure.message}`]);
  });

  test('an invalid configuration: refused with its ConfigError, nothing is applied', async () => {
    const invalid = new ConfigError([{ file: '/etc/corral/services.d/a.yaml', message: 'bad' }]);
    const { reload, logged, applied } = fixture(() => Promise.reject(invalid));
    await assert.rejects(reload('corral reload'), (error) => error === invalid);
    assert.deepEqual(applied, []);
    assert.equal(logged[1], 'error: reload refused, nothing was changed; the new configuration is invalid:\n/etc/corral/services.d/a.yaml: bad');
  });

  test('the wait is bounded, and ends when a shutdown begins: nothing is reloaded then', async () => {
    let pending!: (error: unknown) => void;
    const { reload, applied, shutdown, loads } = fixture((_request, options) => {
      options.signal?.addEventListener('abort', () => pending(options.signal?.reason));
      return new Promise((_resolve, reject) => (pending = reject));
    });
    const result = reload('received SIGHUP');
    assert.equal(loads[0]?.timeoutMs, 30_000);
    assert.equal(loads[0]?.onExit, trimMemory, 'the C heap is trimmed once the worker has ended');
    shutdown.abort(new Error('corral is shutting down'));
    assert.deepEqual(await result, ['corral is shutting down; nothing was reloaded']);
    assert.deepEqual(applied, []);
  });

  test('onWorkerStart is called before each load starts its worker', async () => {
    const { reload, events } = fixture(() => Promise.resolve([]));
    await reload('received SIGHUP');
    await reload('corral reload');
    assert.deepEqual(events, ['worker start', 'load', 'worker start', 'load']);
  });

  test('a valid configuration is applied', async () => {
    const services = [{ name: 'web' }] as unknown as ServiceConfig[];
    const { reload, applied } = fixture(() => Promise.resolve(services));
    assert.deepEqual(await reload('corral reload'), ['corral is shutting down; nothing was reloaded']);
    assert.deepEqual(applied, [services]);
  });
});
