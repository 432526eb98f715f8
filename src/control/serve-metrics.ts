// The Prometheus endpoint for `corral run`, when CORRAL_METRICS_ADDR asks for one: each
// scrape reads the supervisor's snapshot and its services' process groups from /proc.
import type { Logger } from '../shared/logger.js';
import { METRICS_ADDRESS_VARIABLE, parseMetricsAddress, type MetricsAddress } from './metrics-address.js';
import type { MetricsServer } from './metrics-server.js';
import type { MetricsInput } from './metrics.js';
import type { ControlPlane } from './serve-control.js';
import type { GroupUsage } from '../process/group-usage.js';

// undefined when metrics are off (unset or empty); a ConfigError when the value is bad.
export function metricsAddressFrom(env: NodeJS.ProcessEnv): MetricsAddress | undefined {
  const text = env[METRICS_ADDRESS_VARIABLE];
  return text === undefined || text.trim() === '' ? undefined : parseMetricsAddress(text);
}

// The endpoint and prom-client are loaded here, only when metrics are on: they would
// otherwise take some megabytes of PID 1's memory for nothing.
export async function serveMetrics(address: MetricsAddress, plane: ControlPlane, logger: Logger): Promise<MetricsServer> {
  const { startMetricsServer } = await import('./metrics-server.js');
  const collect = (): Promise<MetricsInput> => {
    const snapshot = plane.snapshot();
    const pids = snapshot.services.flatMap((service) => (service.pid === null ? [] : [service.pid]));
    const { groups } = plane.readUsage(pids);
    const usage = new Map<string, GroupUsage>();
    for (const service of snapshot.services) {
      const group = service.pid === null ? undefined : groups.get(service.pid);
      if (group !== undefined) usage.set(service.name, group);
    }
    return Promise.resolve({ snapshot, usage });
  };
  return startMetricsServer(address, collect, logger);
}
