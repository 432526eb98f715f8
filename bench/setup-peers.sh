#!/bin/sh
# Installs what the benchmarks run beside corral, from Debian: supervisord, s6, runit and
# tini as the peers, GNU time for the clients' peak RSS, a C compiler for the services in
# bench/*.c. pm2 comes from npm, into bench/.peers (never a dependency of corral). Skips apt
# when everything is there; a
# benchmark skips a peer that is missing, with a note in its report.
set -eu
peers="$(dirname "$0")/.peers"
if [ ! -x "$peers/node_modules/.bin/pm2-runtime" ]; then
  echo "bench:setup: installing pm2 into bench/.peers"
  npm install --prefix "$peers" --no-save --no-audit --no-fund --loglevel=error pm2@7 >/dev/null || echo "bench:setup: pm2 could not be installed; the benchmarks skip it" >&2
fi
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
