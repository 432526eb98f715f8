// What every service runner shares: the kernel and the clock (both injected, so the
// simulation drives the real runner), the addon, the output writers, the logger.
import type { Logger } from '../shared/logger.js';
import type { RlimitValue } from '../process/exec-shim.js';
import type { LabelColumn } from '../logging/label-column.js';
import type { LogStyle } from '../logging/log-style.js';
import type { OutputSink } from '../logging/output-sink.js';
import type { NativeAddon } from '../native/addon.js';
import type { Clock } from './clock.js';
import type { Kernel } from './kernel.js';

export interface RunnerContext {
  kernel: Kernel;
  clock: Clock;
  addon: NativeAddon;
  /** The exec shim (addon/build/Release/svexec). */
  shimPath: string;
  stdout: OutputSink;
  stderr: OutputSink;
  logger: Logger;
  labels: LabelColumn;
  /** text or json, timestamps, colour: from corral's environment */
  logStyle: LogStyle;
  /** corral's environment, which services inherit unless inherit_env is false. */
  env: Record<string, string>;
  /** Where notify sockets are made (src/control/run-dir.ts); undefined when corral found no run directory it can use. */
  notifyDir: string | undefined;
  defaultNofile: RlimitValue;
  random: () => number;
}
