// The text of `corral --help`.
import { DEFAULT_RUN_DIR } from '../control/run-dir.js';

export const DEFAULT_SERVICES_DIR = '/etc/corral/services.d';
export const DEFAULT_SHUTDOWN_TIMEOUT = '9s';
export const DEFAULT_INIT_DIR = '/etc/corral/init.d';

export const usage = `Usage: corral [--services DIR] [-- COMMAND [ARGS...]]
       corral check [DIR]     validate DIR without starting anything (exit 0 or 100)
       corral print [DIR]     print DIR's services with every default filled in
       corral schema          print the JSON Schema of a service file, for editors
       corral --help | --version

Control a running corral (on its control socket, $CORRAL_RUN_DIR/control.sock):
  corral status [NAME...] [--json]  state, pid, uptime, restarts, CPU, memory
  corral start|stop|restart NAME... stop takes dependents down first, says so
  corral signal NAME SIGNAL         e.g. corral signal web HUP
  corral reload                     re-read the services, as SIGHUP does
  corral ready | corral health      exit 0 or 1: HEALTHCHECK, Kubernetes probes
  corral logs NAME [-n N] [-f] [--stdout|--stderr]
                                    NAME's last N lines (10), -f: then new ones

Runs every service defined in DIR/*.yaml (one file per service, see docs/services.md)
as PID 1 of a container: reaps orphaned zombies, relays each service's output line by
line with its name, starts services in dependency order once what they need is ready,
restarts them per their policy (a service with schedule: runs on its schedule instead),
and on SIGTERM stops them, dependents first, within one time budget, then kills
whatever is left.

Before any service starts, every executable in $CORRAL_INIT_DIR runs, one at a
time, in name order (like /etc/my_init.d or /etc/cont-init.d); if one fails, no
service starts and corral exits with its code.

With -- COMMAND, the command runs as the main service "main" once every service is
ready; when it exits, everything stops and corral exits with its exit code.

Options:
  -s, --services DIR   the service files (default: $CORRAL_SERVICES_DIR, else ${DEFAULT_SERVICES_DIR})
  -h, --help           show this help and exit
  -V, --version        print corral's version and exit

Environment:
  CORRAL_SERVICES_DIR      default for --services
  CORRAL_INIT_DIR          the init scripts, run before any service (default ${DEFAULT_INIT_DIR})
  CORRAL_SHUTDOWN_TIMEOUT  time to stop everything, e.g. 9s or 500ms (default ${DEFAULT_SHUTDOWN_TIMEOUT});
                           keep it below docker stop's -t (10s) or terminationGracePeriodSeconds
  CORRAL_LOG_LEVEL         error, warn, info (default) or debug
  CORRAL_RUN_DIR           the control socket's directory (default ${DEFAULT_RUN_DIR} if writable, else
                           $XDG_RUNTIME_DIR/corral or /tmp/corral-UID); notify sockets in DIR-notify
  CORRAL_ENABLE, CORRAL_DISABLE
                           service names, comma-separated, to run or not whatever enabled: says
  CORRAL_METRICS_ADDR      Prometheus metrics on HOST:PORT, e.g. 127.0.0.1:9100 (off)
  CORRAL_LOG_FORMAT        text (default) or json; CORRAL_LOG_TIMESTAMPS=1 adds times
  CORRAL_SYSLOG            a socket such as /dev/log: relay syslog messages to the log (off)

Signals: TERM, INT, QUIT stop everything (a second one skips the remaining grace);
HUP re-reads DIR and applies only what changed; USR1, USR2, WINCH go to the main
service, or to every service when there is none; TSTP, TTIN, TTOU are ignored.

Exit codes: 0 stopped on request; 1 a required service failed, or an init script
could not be executed; 100 usage or configuration error; 111 system error;
otherwise the main service's or the failed init script's exit code, or 128+N when
signal N killed it, or stopped corral during the init scripts. The control
commands: 0 done; 1 refused (the message says why), or not ready/healthy; 100 usage
error; 111 corral unreachable (ready and health exit 1 for that too).
`;
