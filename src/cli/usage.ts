// The text of `corral --help`.
export const DEFAULT_SERVICES_DIR = '/etc/corral/services.d';
export const DEFAULT_SHUTDOWN_TIMEOUT = '9s';

export const usage = `Usage: corral [--services DIR]
       corral --help | --version

Runs every service defined in DIR/*.yaml (one file per service, named after the file)
as PID 1 of a container: reaps orphaned zombies, relays each service's output line by
line with its name, restarts services per their policy, and on SIGTERM stops them in
reverse order within one time budget, then kills whatever is left.

Options:
  -s, --services DIR   the service files (default: $CORRAL_SERVICES_DIR, else ${DEFAULT_SERVICES_DIR})
  -h, --help           show this help and exit
  -V, --version        print corral's version and exit

Environment:
  CORRAL_SERVICES_DIR      default for --services
  CORRAL_SHUTDOWN_TIMEOUT  time to stop everything, e.g. 9s or 500ms (default ${DEFAULT_SHUTDOWN_TIMEOUT});
                           keep it below docker stop's -t (10s) or terminationGracePeriodSeconds
  CORRAL_LOG_LEVEL         error, warn, info (default) or debug

Signals: TERM, INT, QUIT stop everything (a second one skips the remaining grace);
HUP, USR1, USR2, WINCH are forwarded to every running service; TSTP, TTIN, TTOU are ignored.

Exit codes: 0 stopped on request; 100 usage or configuration error; 111 system error.
`;
