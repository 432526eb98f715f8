// The sd_notify watchdog with corral as PID 1 and a real service (python3, speaking the
// protocol on $NOTIFY_SOCKET itself): pings keep it running; silence, WATCHDOG=trigger or
// a shorter WATCHDOG_USEC get it stopped with the watchdog's signal and counted as failed.
// Each step waits for a line; the short timeouts only make the misses quick.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { pollFor, skipUnlessPid1, startCorral, type CorralProcess, type StartOptions } from '../helpers/corral-process.js';
import { scratchDir } from '../helpers/scratch.js';

// python3 watchdog.py MODE [COUNT] [SIGNAL]. Prints its environment, then:
//   ping:          WATCHDOG=1 every half timeout, for ever, printing "ping N";
//   hang-after:    COUNT pings, then nothing;
//   trigger-after: READY=1, COUNT pings 100 ms apart, then WATCHDOG=trigger;
//   shorten:       WATCHDOG_USEC=200000 and READY=1, then nothing.
// SIGNAL (default SIGABRT) is caught, printed and answered with exit 0: an exit that is
// not a failure in itself, so a restart shows that corral counted the watchdog's.
const SCRIPT = String.raw`
import os, signal, socket, sys, time
mode = sys.argv[1]
count = int(sys.argv[2]) if len(sys.argv) > 2 else 0
caught = getattr(signal, sys.argv[3]) if len(sys.argv) > 3 else signal.SIGABRT

def on_signal(number, frame):
    print("got", signal.Signals(number).name, flush=True)
    os._exit(0)

signal.signal(caught, on_signal)
print("env WATCHDOG_USEC=%s WATCHDOG_PID=%s NOTIFY_SOCKET=%s" % (
    os.environ.get("WATCHDOG_USEC"), os.environ.get("WATCHDOG_PID"), os.environ.get("NOTIFY_SOCKET")), flush=True)
sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
def send(text):
    sock.sendto(text.encode(), os.environ["NOTIFY_SOCKET"])
# Half the timeout, as libraries do; the trigger test's timeout is long, its pings are not.
interval = 0.1 if mode == "trigger-after" else int(os.environ["WATCHDOG_USEC"]) / 2e6

if mode == "trigger-after":
    send("READY=1")
if mode == "shorten":
    send("WATCHDOG_USEC=200000\nREADY=1")
pings = 0
while mode == "ping" or (mode in ("hang-after", "trigger-after") and pings < count):
    send("WATCHDOG=1")
    pings += 1
    print("ping", pings, flush=True)
    time.sleep(interval)
if mode == "trigger-after":
    send("WATCHDOG=trigger")
    print("sent trigger", flush=True)
while True:
    time.sleep(1)
`;

function script(t: TestContext): string {
  const path = join(scratchDir(t), 'watchdog.py');
  writeFileSync(path, SCRIPT);
  return path;
}

// corral as PID 1 with one service, svc: the script run with `args`, then the YAML
// `settings`; disposed when the test ends.
async function startWatchdogService(t: TestContext, args: string[], settings: string, options: Partial<StartOptions> = {}): Promise<CorralProcess> {
  const command = JSON.stringify(['/usr/bin/python3', '-u', script(t), ...args]);
  const corral = await startCorral({ pid1: true, services: { 'svc.yaml': `command: ${command}\n${settings}` }, ...options });
  t.after(() => corral.dispose());
  return corral;
}

// The index of the first line matching, failing with the output when there is none.
function lineIndex(corral: CorralProcess, pattern: RegExp): number {
  const index = corral.texts().findIndex((text) => pattern.test(text));
  assert.notEqual(index, -1, `no line matches ${pattern}:\n${corral.tail(40)}`);
  return index;
}

test('watchdog: a service that keeps sending WATCHDOG=1 keeps running; its environment', async (t) => {
  if (skipUnlessPid1(t)) return;
  // No ready: corral makes a notify socket for the watchdog alone; armed at once. A
  // WATCHDOG_PID from a manager above corral must not reach the service.
  const corral = await startWatchdogService(t, ['ping'], 'watchdog: 1s\n', { env: { WATCHDOG_PID: '1', WATCHDOG_USEC: '5' } });
  const env = await corral.waitForLine(/svc +\| env /, 10_000);
  assert.match(env, /env WATCHDOG_USEC=1000000 WATCHDOG_PID=None NOTIFY_SOCKET=\/.*-notify\/svc\.sock$/);
  // Twelve pings at 500 ms: six timeouts' worth of time, each deadline met by a ping.
  await corral.waitForLine(/svc +\| ping 12$/, 15_000);
  const events = corral.events().filter((event) => /watchdog|^svc (started|was stopped)/.test(event));
  assert.equal(events.length, 1, `only the one start:\n${corral.tail(40)}`);
  assert.match(events[0]!, /^svc started \(pid \d+\)$/);
});

test('watchdog: a service that stops sending WATCHDOG=1 is stopped with SIGABRT, restarted as failed, and given up on', async (t) => {
  if (skipUnlessPid1(t)) return;
  // on-failure, and the service exits 0 on SIGABRT: only the watchdog makes the run a failure.
  const corral = await startWatchdogService(
    t,
    ['hang-after', '5'],
    'ready: {log: "^env "}\nwatchdog: 500ms\nrestart: on-failure\nbackoff: {initial: 100ms}\nmax_restarts: {count: 1, window: 1m}\nlimits: {core: 0}\n',
    { deadlineMs: 30_000 },
  );
  await corral.waitForLine(/corral +\| warning: svc: watchdog timeout: no WATCHDOG=1 for 500ms; stopping it with SIGABRT$/, 10_000);
  await corral.waitForLine(/svc +\| got SIGABRT$/);
  await corral.waitForLine(/corral +\| warning: svc was stopped: watchdog timeout: no WATCHDOG=1 for 500ms; restarting in \d+ms$/);
  // Armed when ready and re-armed by each ping: the five pings (250 ms apart, a second in all) came first.
  assert.ok(lineIndex(corral, /svc +\| ping 5$/) < lineIndex(corral, /svc: watchdog timeout/), corral.tail(40));
  // The second run hangs too: the restart was counted, so corral gives up.
  await corral.waitForLine(
    /corral +\| error: svc was stopped: watchdog timeout: no WATCHDOG=1 for 500ms; giving up \(max_restarts: 1 restarts within 1m\)$/,
    10_000,
  );
  // The service's lines (stdout) and corral's (stderr) are two pipes: their order is not
  // kept when one reader lags, so wait for the second run's line rather than count now.
  await pollFor(
    'the second run to say it got SIGABRT',
    10_000,
    () => (corral.texts().filter((text) => /svc +\| got SIGABRT$/.test(text)).length === 2 ? true : undefined),
    { last: () => corral.tail(40) },
  );
});

test('watchdog: WATCHDOG=trigger stops the service at once with the configured signal', async (t) => {
  if (skipUnlessPid1(t)) return;
  // A timeout long enough that only the trigger can end the run within the test.
  const corral = await startWatchdogService(
    t,
    ['trigger-after', '2', 'SIGUSR1'],
    'ready: {notify: true}\nwatchdog: {timeout: 1m, signal: SIGUSR1}\nrestart: never\n',
  );
  await corral.waitForLine(/corral +\| svc is ready \(READY=1 after /, 10_000);
  await corral.waitForLine(/corral +\| warning: svc: watchdog triggered: it sent WATCHDOG=trigger; stopping it with SIGUSR1$/);
  await corral.waitForLine(/svc +\| got SIGUSR1$/);
  await corral.waitForLine(/corral +\| error: svc was stopped: watchdog triggered: it sent WATCHDOG=trigger; giving up \(restart: never\)$/);
  // After the pings (printed 100 ms before the trigger was sent), not a timeout of 1m. The
  // socket is read as soon as the trigger arrives, so "sent trigger", printed after it, may
  // come after corral's line, or not at all when the signal ends the service first.
  assert.ok(lineIndex(corral, /svc +\| ping 2$/) < lineIndex(corral, /svc: watchdog triggered/), corral.tail(40));
});

test('watchdog: WATCHDOG_USEC from the service sets a new timeout', async (t) => {
  if (skipUnlessPid1(t)) return;
  const corral = await startWatchdogService(t, ['shorten'], 'ready: {notify: true}\nwatchdog: 1m\nrestart: never\nlimits: {core: 0}\n');
  await corral.waitForLine(/corral +\| svc set its watchdog timeout to 200ms \(WATCHDOG_USEC\)$/, 10_000);
  await corral.waitForLine(/corral +\| warning: svc: watchdog timeout: no WATCHDOG=1 for 200ms; stopping it with SIGABRT$/, 10_000);
  await corral.waitForLine(/svc +\| got SIGABRT$/);
});

test("watchdog: checks get neither the service's NOTIFY_SOCKET and WATCHDOG_USEC nor those corral inherited", async (t) => {
  if (skipUnlessPid1(t)) return;
  const check = JSON.stringify(['/bin/sh', '-c', '[ -z "$NOTIFY_SOCKET$WATCHDOG_USEC$WATCHDOG_PID" ]']);
  const corral = await startWatchdogService(t, ['ping'], `watchdog: 10s\nready: {exec: ${check}, timeout: 5s}\nrestart: never\n`, {
    // As from a manager above corral: its socket and watchdog are corral's, not a check's.
    env: { NOTIFY_SOCKET: '/nonexistent/manager.sock', WATCHDOG_USEC: '5', WATCHDOG_PID: '1' },
  });
  await corral.waitForLine(/corral +\| svc is ready \(exec check passed after /, 10_000);
  // The service itself gets its own socket and timeout, and no inherited WATCHDOG_PID.
  assert.match(await corral.waitForLine(/svc +\| env /), /env WATCHDOG_USEC=10000000 WATCHDOG_PID=None NOTIFY_SOCKET=\/.*-notify\/svc\.sock$/);
});
