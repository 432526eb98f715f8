// The workloads of the log-relay benchmark (bench/logs.ts) and the supervisors each one
// runs under.
import type { Scenario } from './log-run.js';
import type { LogService } from './log-supervisors.js';

const LONG_LINE = 10 * 1024 * 1024;
const PIECE = 16 * 1024; // corral's default log.max_line

export interface Workload {
  key: string;
  title: string;
  scenario: (writer: string) => Scenario;
  /** The supervisors it runs under; the others are left out (too slow, or nothing to learn). */
  under: string[];
  /** false: too little data for MB/s to mean anything. */
  throughput?: boolean;
}

const ALL = ['none (shared pipe)', 'corral', 'supervisord', 'pm2-runtime'];
const RELAYS = ['corral', 'supervisord', 'pm2-runtime'];

function numbered(writer: string, names: string[], count: number): LogService[] {
  return names.map((name) => ({ name, argv: [writer, 'lines', name, String(count)] }));
}

export function logWorkloads(lines: number): Workload[] {
  return [
    {
      // Each supervisor's own footprint: its peak RSS with two services that write one line.
      key: 'idle',
      title: '2 services × 1 line',
      scenario: (writer) => ({ mode: 'lines', services: numbered(writer, ['a', 'b'], 1), count: 1, deadlineMs: 60_000 }),
      under: RELAYS,
      throughput: false,
    },
    {
      key: 'main',
      title: `2 services × ${lines.toLocaleString('en')} lines`,
      scenario: (writer) => ({ mode: 'lines', services: numbered(writer, ['a', 'b'], lines), count: lines, deadlineMs: 300_000 }),
      under: ALL,
    },
    {
      // The same with ten times the lines: a relay that holds nothing needs the same memory.
      key: 'ten',
      title: `2 services × ${(lines * 10).toLocaleString('en')} lines`,
      scenario: (writer) => ({ mode: 'lines', services: numbered(writer, ['a', 'b'], lines * 10), count: lines * 10, deadlineMs: 600_000 }),
      under: ['corral', 'supervisord'],
    },
    {
      key: 'long',
      title: 'one 10 MiB line, no newline',
      scenario: (writer) => ({
        mode: 'long',
        services: [{ name: 'a', argv: [writer, 'long', String(LONG_LINE)] }],
        count: LONG_LINE,
        maxPiece: PIECE,
        deadlineMs: 120_000,
      }),
      under: RELAYS,
    },
    {
      // The reader stops for 5 s after 30% of the lines: a relay with back-pressure holds
      // still (the services block in write()); one without piles the lines up in memory.
      key: 'pause',
      title: `2 × ${lines.toLocaleString('en')} lines, reader stops 5 s`,
      scenario: (writer) => ({
        mode: 'lines',
        services: numbered(writer, ['a', 'b'], lines),
        count: lines,
        pause: { atLine: Math.floor(lines * 2 * 0.3), ms: 5000 },
        deadlineMs: 300_000,
      }),
      under: RELAYS,
    },
    {
      key: 'many',
      title: '50 services × 20,000 lines',
      scenario: (writer) => ({
        mode: 'lines',
        services: numbered(
          writer,
          Array.from({ length: 50 }, (_, i) => `s${String(i).padStart(2, '0')}`),
          20_000,
        ),
        count: 20_000,
        deadlineMs: 300_000,
      }),
      under: RELAYS,
    },
  ];
}
