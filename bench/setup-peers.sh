#!/bin/sh
# Installs what the benchmarks run beside corral, from Debian: supervisord, s6, runit and
# tini as the peers, GNU time for the clients' peak RSS, a C compiler for the services in
# bench/*.c. pm2 comes from npm (a devDependency). Skips apt when everything is there; a
# benchmark skips a peer that is missing, with a note in its report.
set -eu
missing=
for pair in supervisord:supervisor s6-svscan:s6 runsvdir:runit tini:tini /usr/bin/time:time cc:gcc; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || missing="$missing ${pair#*:}"
done
if [ -z "$missing" ]; then
  echo "bench:setup: the peers are installed"
  exit 0
fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "bench:setup: missing:$missing; install them (apt-get install$missing); the benchmarks skip what is missing" >&2
  exit 0
fi
echo "bench:setup: installing$missing"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
