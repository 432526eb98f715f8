// PID 1, or a child subreaper when something else is PID 1 (docker run --init, a
// Kubernetes pod with shareProcessNamespace): either way orphans of our services come
// to us to be reaped.
import type { Logger } from '../shared/logger.js';
import type { NativeAddon } from '../native/addon.js';
import type { InitMode } from '../supervisor/shutdown-sweep.js';
import { describeSystemError } from '../shared/system-error.js';

export function becomeReaper(addon: NativeAddon, logger: Logger): InitMode {
  if (process.pid === 1) return 'pid1';
  try {
    addon.setChildSubreaper();
    logger.debug(`running as pid ${process.pid}, not 1: registered as a child subreaper`);
  } catch (error) {
    // Still supervises; only orphans of our services go to the real PID 1 instead of us.
    logger.warn(
      `corral is not PID 1 and could not become a child subreaper (${describeSystemError(error)}); ` +
        'orphans of its services will be reaped by PID 1, not by corral. Run corral as the container entrypoint to fix this.',
    );
  }
  return 'subreaper';
}
