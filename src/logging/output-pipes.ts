// corral's stdout and stderr are pipes under Docker and Kubernetes, 64 KiB deep by
// default: then every time the log reader falls one read behind, corral's output is full
// and the services wait, so reading and writing take turns instead of overlapping. A
// 1 MiB pipe (the kernel's default limit for F_SETPIPE_SZ) lets them run side by side.
// It is kernel memory, bounded, and changes nothing about ordering or loss.
import { fstatSync } from 'node:fs';
import type { Logger } from '../shared/logger.js';
import { formatByteCount } from '../config/byte-size.js';
import type { NativeAddon } from '../native/addon.js';
import { describeSystemError } from '../shared/system-error.js';

export const OUTPUT_PIPE_BYTES = 1024 * 1024;

export function growOutputPipes(addon: Pick<NativeAddon, 'growPipe'>, logger: Logger): void {
  for (const [fd, name] of [
    [1, 'stdout'],
    [2, 'stderr'],
  ] as const) {
    if (!isPipe(fd)) continue;
    try {
      logger.debug(`${name} is a pipe of ${formatByteCount(addon.growPipe(fd, OUTPUT_PIPE_BYTES))}`);
    } catch (error) {
      // EPERM above /proc/sys/fs/pipe-max-size for an unprivileged user: keep the default.
      logger.debug(`${name} is a pipe whose size stays as it is: ${describeSystemError(error)}`);
    }
  }
}

function isPipe(fd: number): boolean {
  try {
    return fstatSync(fd).isFIFO();
  } catch {
    return false;
  }
}
