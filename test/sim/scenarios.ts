// fast-check arbitraries for the simulation: service graphs (a DAG: each service may
// depend on those before it), behaviours from the ordinary to the hostile (processes that
// ignore SIGTERM, that SIGKILL cannot end, leftovers in the group, failing spawns),
// scheduled services (every or cron with seconds, each overlap, timeouts), services with
// replicas whose count each reload changes, and
// interleavings of signals, crashes, reloads and operator actions at any moment.
import fc from 'fast-check';
import type { ScheduleConfig } from '../../src/config/schedule.js';
import type { Behaviour } from './fake-kernel.js';
import { namesOf, type Scenario, type ServiceSpec, type SimEvent } from './world.js';

const NAMES = ['db', 'cache', 'api', 'web', 'worker', 'cron'];

const behaviour: fc.Arbitrary<Behaviour> = fc.record({
  runMs: fc.option(fc.integer({ min: 1, max: 4000 }), { nil: undefined, freq: 2 }),
  exitCode: fc.constantFrom(0, 0, 1, 3),
  ignoresTerm: fc.boolean(),
  exitsCleanlyOnTerm: fc.boolean(),
  unkillable: fc.integer({ min: 0, max: 19 }).map((n) => n === 0),
  leftovers: fc.constantFrom(0, 0, 1, 2),
  spawnFailures: fc.array(fc.constantFrom<Behaviour['spawnFailures'][number]>('EAGAIN', 'ENOMEM', 'ENOENT', 'throw'), { maxLength: 2 }),
});

// One service in four runs on a schedule: due every 0.5 to 5 s (a short run overlaps it,
// a long one never ends by itself), by interval or by a cron expression with seconds.
const schedule: fc.Arbitrary<ScheduleConfig | undefined> = fc.option(
  fc.record({
    spec: fc.oneof(
      fc.record({ kind: fc.constant('every' as const), intervalMs: fc.integer({ min: 1000, max: 5000 }) }),
      fc.record({
        kind: fc.constant('cron' as const),
        expression: fc.integer({ min: 1, max: 5 }).map((n) => `*/${n} * * * * *`),
        timezone: fc.constant('UTC'),
      }),
    ),
    overlap: fc.constantFrom('skip', 'queue', 'replace'),
    runOnStart: fc.boolean(),
    timeoutMs: fc.option(fc.integer({ min: 100, max: 6000 }), { nil: undefined }),
  }),
  { nil: undefined, freq: 3 },
);

function serviceSpec(index: number, hasMain: boolean): fc.Arbitrary<ServiceSpec> {
  const earlier = NAMES.slice(0, index);
  return fc.record({
    name: fc.constant(NAMES[index]!),
    type: fc.constantFrom<'longrun' | 'oneshot'>('longrun', 'longrun', 'longrun', 'oneshot'),
    deps: fc.subarray(earlier, { maxLength: Math.min(3, earlier.length) }),
    restart: fc.constantFrom<ServiceSpec['restart']>('always', 'on-failure', 'never'),
    main: fc.constant(hasMain),
    onFailure: fc.constantFrom<ServiceSpec['onFailure']>('ignore', 'ignore', 'ignore', 'shutdown'),
    stopTimeoutMs: fc.integer({ min: 50, max: 3000 }),
    backoff: fc.record({ initial: fc.integer({ min: 10, max: 1000 }), max: fc.integer({ min: 1000, max: 5000 }), factor: fc.constantFrom(1, 2, 3) }),
    behaviour,
    schedule: hasMain ? fc.constant(undefined) : schedule,
    // One service in four runs as instances (not main: corral check refuses that).
    replicas: hasMain ? fc.constant(undefined) : fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined, freq: 4 }),
  });
}

// As corral check would have it: nothing depends on a scheduled service, and a scheduled
// one has no replicas.
function withoutScheduledDependencies(specs: ServiceSpec[]): ServiceSpec[] {
  const scheduled = new Set(specs.filter((spec) => spec.schedule).map((spec) => spec.name));
  return specs.map((spec) => ({
    ...spec,
    deps: spec.deps.filter((name) => !scheduled.has(name)),
    ...(spec.schedule ? { replicas: undefined } : {}),
  }));
}

const services: fc.Arbitrary<ServiceSpec[]> = fc
  .record({ count: fc.integer({ min: 1, max: NAMES.length }), main: fc.boolean() })
  .chain(({ count, main }) => fc.tuple(...Array.from({ length: count }, (_, i) => serviceSpec(i, main && i === count - 1))))
  .map(withoutScheduledDependencies);

function events(names: string[]): fc.Arbitrary<SimEvent[]> {
  const at = fc.integer({ min: 0, max: 20_000 });
  const service = fc.constantFrom(...names);
  const event: fc.Arbitrary<SimEvent> = fc.oneof(
    {
      weight: 5,
      arbitrary: fc.record({
        at,
        kind: fc.constant('signal' as const),
        signal: fc.constantFrom('SIGTERM', 'SIGINT', 'SIGQUIT', 'SIGHUP', 'SIGHUP', 'SIGUSR1'),
      }),
    },
    { weight: 15, arbitrary: fc.record({ at, kind: fc.constant('crash' as const), service, code: fc.constantFrom(0, 1, 2) }) },
    { weight: 10, arbitrary: fc.record({ at, kind: fc.constant('operator' as const), action: fc.constantFrom('start', 'stop', 'restart'), service }) },
    {
      weight: 5,
      arbitrary: fc.record({
        at,
        kind: fc.constant('spawn-failure' as const),
        service,
        failure: fc.constantFrom<Behaviour['spawnFailures'][number]>('EAGAIN', 'ENOMEM', 'ENOENT', 'throw'),
      }),
    },
    { weight: 1, arbitrary: fc.record({ at, kind: fc.constant('bug' as const) }) },
  );
  return fc.array(event, { maxLength: 12 });
}

export const scenarios: fc.Arbitrary<Scenario> = services.chain((specs) =>
  fc.record({
    services: fc.constant(specs),
    // A service with replicas by its name (a rolling restart) and by its instances' names.
    events: events(specs.flatMap((spec) => (spec.replicas === undefined ? [spec.name] : [spec.name, ...namesOf(spec)]))),
    budgetMs: fc.integer({ min: 500, max: 10_000 }),
    latencyMs: fc.integer({ min: 0, max: 5 }),
    // One scenario in 20 also checks that finished runs are freed: a collection costs too
    // much for each. Part of the scenario, so that a replay checks it too.
    checkMemory: fc.integer({ min: 0, max: 19 }).map((n) => n === 0),
  }),
);
