// Where the metrics endpoint listens, read from CORRAL_METRICS_ADDR. The endpoint is off
// unless that variable is set, so a value that is set but wrong is a configuration error
// rather than a silent "off": the operator asked for metrics and would not get them.
import { isIPv4, isIPv6 } from 'node:net';
import { ConfigError } from '../config/config-error.js';

// Named in errors, so the operator knows which setting to fix.
export const METRICS_ADDRESS_VARIABLE = 'CORRAL_METRICS_ADDR';

export interface MetricsAddress {
  /** An IPv4 address, an IPv6 address without brackets, or a host name. */
  host: string;
  port: number;
}

const EXAMPLE = '127.0.0.1:9100';
// RFC 1123 host names: dot-separated labels of letters, digits and inner hyphens.
const HOST_NAME = /^(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))*$/i;

// Reads HOST:PORT, [IPV6]:PORT or :PORT (all interfaces). Port 0 is refused: Prometheus
// must be told where to scrape, so the port has to be known before corral starts.
export function parseMetricsAddress(text: string): MetricsAddress {
  const trimmed = text.trim();
  const bracketed = /^\[([^\]]*)\]:([^:]*)$/.exec(trimmed);
  const plain = /^([^:[\]]*):([^:]*)$/.exec(trimmed);
  const [, rawHost, rawPort] = bracketed ?? plain ?? [];
  if (rawHost === undefined || rawPort === undefined) {
    if ((trimmed.match(/:/g) ?? []).length > 1 && !trimmed.startsWith('[')) {
      fail(`an IPv6 address needs brackets, such as [::1]:9100, got ${JSON.stringify(text)}`);
    }
    fail(`expected HOST:PORT such as ${EXAMPLE}, got ${JSON.stringify(text)}`);
  }
  return { host: parseHost(rawHost, bracketed !== null, text), port: parsePort(rawPort, text) };
}

// How an address is written back in messages: the same form the operator typed.
export function formatMetricsAddress(address: MetricsAddress): string {
  return isIPv6(address.host) ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}

function parseHost(host: string, bracketed: boolean, text: string): string {
  if (bracketed) {
    if (isIPv6(host)) return host;
    fail(`${JSON.stringify(host)} in brackets is not an IPv6 address, got ${JSON.stringify(text)}`);
  }
  // ":9100" means every interface, as in Go's net.Listen and Prometheus' own flags.
  if (host === '') return '0.0.0.0';
  if (isIPv4(host)) return host;
  // "999.1.1.1" would pass as a host name and then fail to resolve at listen time.
  if (!/^[\d.]+$/.test(host) && HOST_NAME.test(host)) return host;
  fail(`${JSON.stringify(host)} is not an IP address or host name; expected HOST:PORT such as ${EXAMPLE}, got ${JSON.stringify(text)}`);
}

function parsePort(port: string, text: string): number {
  if (!/^\d{1,5}$/.test(port)) {
    fail(`expected HOST:PORT such as ${EXAMPLE}, got ${JSON.stringify(text)}`);
  }
  const value = Number(port);
  if (value === 0) {
    fail(`port 0 is not allowed: Prometheus needs a known port to scrape, such as ${EXAMPLE}, got ${JSON.stringify(text)}`);
  }
  if (value > 65535) {
    fail(`port ${value} is out of range 1-65535, got ${JSON.stringify(text)}`);
  }
  return value;
}

function fail(message: string): never {
  throw new ConfigError([{ file: METRICS_ADDRESS_VARIABLE, message }]);
}
