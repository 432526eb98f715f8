#!/usr/bin/env bash
# Builds the stand-ins for Docker Hub images that the image tests build FROM, because no
# registry is reachable from these machines (see ../shared/container-lab.md):
#   localhost/corral-test/debian:bookworm          debootstrap --variant=minbase, trimmed
#   localhost/corral-test/node:bookworm-slim       that, plus this machine's node, its headers
#                                                  and npm, laid out as the official node
#                                                  images lay them out (/usr/local), and
#                                                  their user node (uid 1000)
# Like the official slim image it has no compiler, so the Dockerfile's builder stage has to
# install one, as it must for real users. Each image is built once and then reused.
# Usage: local-base.sh ENGINE   (podman or docker); prints the node image's name.
set -euo pipefail
engine=${1:?usage: local-base.sh podman|docker}
debian=localhost/corral-test/debian:bookworm
node_image=localhost/corral-test/node:bookworm-slim

have() { "$engine" image exists "$1" 2>/dev/null || "$engine" image inspect "$1" >/dev/null 2>&1; }
say() { echo "local-base: $*" >&2; }

work=$(mktemp -d /tmp/corral-local-base.XXXXXX)
trap 'rm -rf "$work"' EXIT

if ! have "$debian"; then
  # The mirror this machine's apt already uses; never a hard-coded host.
  mirror=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  mirror=${mirror:-$(awk '/^deb /{print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)}
  [ -n "$mirror" ] || { say "no Debian mirror found in /etc/apt/sources.list.d/debian.sources or /etc/apt/sources.list"; exit 1; }
  command -v debootstrap >/dev/null || { say "debootstrap is missing: apt-get install debootstrap"; exit 1; }
  say "debootstrap bookworm from $mirror (about a minute)"
  debootstrap --variant=minbase bookworm "$work/rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 \
    || { tail -20 "$work/debootstrap.log" >&2; exit 1; }
  # What the official slim images leave out: package caches, lists, docs and man pages.
  rm -rf "$work/rootfs"/var/cache/apt/archives/*.deb "$work/rootfs"/var/lib/apt/lists/* \
    "$work/rootfs"/usr/share/doc/* "$work/rootfs"/usr/share/man/* "$work/rootfs"/usr/share/info/*
  tar -C "$work/rootfs" -c . | "$engine" import - "$debian" >/dev/null
  rm -rf "$work/rootfs"
fi

if ! have "$node_image"; then
  node_bin=$(readlink -f "$(command -v node)")
  prefix=$(dirname "$(dirname "$node_bin")")
  [ -f "$prefix/include/node/node_version.h" ] || { say "no Node.js headers in $prefix/include/node"; exit 1; }
  [ -d "$prefix/lib/node_modules/npm" ] || { say "no npm in $prefix/lib/node_modules/npm"; exit 1; }
  say "node $("$node_bin" --version) from $prefix into $node_image"
  cp "$node_bin" "$work/node"
  cp -r "$prefix/include/node" "$work/include"
  cp -r "$prefix/lib/node_modules/npm" "$work/npm"
  cat >"$work/Containerfile" <<EOF
FROM $debian
COPY node /usr/local/bin/node
COPY include /usr/local/include/node
COPY npm /usr/local/lib/node_modules/npm
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \\
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \\
 && groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node
CMD ["node"]
EOF
  "$engine" build -q -t "$node_image" "$work" >/dev/null
fi
echo "$node_image"
