// A /dev of its own for corral as PID 1 (startCorral's privateDev), so that it can bind
// /dev/log, where glibc's syslog(3) and logger send, without touching the host's /dev:
// inside the test's private mount namespace (unshare makes mounts private), a tmpfs
// covers /dev, with the host's character devices the services need bound back in.
export const PRIVATE_DEV_SCRIPT = [
  'set -e',
  'host=$(mktemp -d)',
  'mount --bind /dev "$host"',
  'mount -t tmpfs -o mode=755 tmpfs /dev',
  'for name in null zero full random urandom tty; do touch "/dev/$name"; mount --bind "$host/$name" "/dev/$name"; done',
  'ln -s /proc/self/fd /dev/fd; ln -s /proc/self/fd/0 /dev/stdin; ln -s /proc/self/fd/1 /dev/stdout; ln -s /proc/self/fd/2 /dev/stderr',
  'mkdir /dev/shm /dev/pts',
  'umount -l "$host"; rmdir "$host"',
  'exec "$0" "$@"',
].join('\n');
