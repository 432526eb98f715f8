// The log-relay benchmark's section of docs/benchmarks.md: what was run, how it was
// counted, how to read it, and the table (rows from log-table.ts).
import { writeBenchmarkSection } from './report.js';

export interface LogsReport {
  machine: string;
  date: string;
  lines: number;
  rounds: number;
  rows: string[];
}

export function writeLogsSection(report: LogsReport): void {
  const n = report.lines.toLocaleString('en');
  writeBenchmarkSection('logs', [
    "### Relaying services' stdout (`npm run bench:logs`)",
    '',
    'Each supervisor runs as PID 1 (`unshare --pid --fork --mount-proc`); its stdout is a pipe',
    'read by a checker process. The services (bench/line-writer.c) write numbered 100-byte',
    'lines, `a 000000042 xxx...x a 000000042` and a newline, as fast as they can, a megabyte',
    'per write(); the name and number come twice so that the head of one line glued to the',
    'tail of another cannot pass for a line. corral runs one YAML file per service with its',
    'default log settings, started as its bin starts it (node with the V8 flags of its `#!`',
    'line); supervisord has `stdout_logfile=/dev/stdout`,',
    '`stdout_logfile_maxbytes=0` (and `silent=true`, which keeps its own log off stdout);',
    'pm2-runtime gets an ecosystem file and writes its default output. The workloads:',
    '',
    "- 2 services × 1 line: each supervisor's own footprint.",
    `- 2 services × ${n} lines each, and the same with ten times the lines (pm2-runtime is`,
    '  left out of that one: at its rate it would take minutes).',
    '- one 10 MiB line without a newline, after which the service closes its stdout.',
    '- the reader stops reading for 5 s after 30% of the lines, then reads on; the',
    "  supervisor's RSS is sampled every 100 ms.",
    '- 50 services × 20,000 lines, all at once.',
    '',
    `Measured on ${report.machine}, ${report.date}; ${report.rounds} runs of each.`,
    '',
    '- lost: sequence numbers never seen in an intact line. torn: output lines that are not',
    '  exactly one service line behind the prefix that supervisor writes (corral:',
    '  `a      | `; supervisord and pm2-runtime: none), with their share of all output lines;',
    '  for the long line, pieces that are not the next bytes of the line. out of order: lines',
    '  that came after a higher number of the same service. These three, and peak RSS, are',
    '  the worst of the runs.',
    '- MB/s: 100 bytes per intact line (10^6 bytes per MB) over the time from the first to',
    "  the last byte the reader saw, less the reader's own pause; the median of the runs,",
    '  with their range in the notes (on a shared machine runs differ by up to a third).',
    "- peak RSS: VmHWM of the supervisor's process once the reader had everything (or heard",
    '  nothing for 3 s: "ended by silence"), before the supervisor was stopped.',
    '- "none (shared pipe)" is no supervisor: the services write into the pipe themselves,',
    '  as under s6, runit or tini. It is no ceiling (the two writers contend for the pipe);',
    "  the reader keeps up with several hundred MB/s, as supervisord's rows show.",
    '- The short workloads include the warm-up of a relay written in JavaScript (JIT, heap',
    '  growth); the row with ten times the lines is closer to its steady rate.',
    '- pm2-runtime also writes its own `<time>: PM2 log: ...` lines to stdout; they are',
    '  counted apart ("lines of its own"), not as torn. By default it also writes every line',
    '  to a file in `$PM2_HOME/logs`.',
    '',
    'How to read it: a relay should have 0 lost, 0 torn and 0 out of order on every row; the',
    "same peak RSS with ten times the lines and during the reader's pause (back-pressure: the",
    'services wait in write() instead of the supervisor buffering their output); and a high',
    'MB/s. Lines tear when a relay passes on the chunks it read instead of lines: lines of two',
    'services mixed in one (supervisord), or one line cut in two, each half ending in a',
    'newline (pm2-runtime: about two torn lines per lost one). A 10 MiB line without a newline',
    'never ends for supervisord, hence its silence.',
    '',
    '| workload | supervisor | lost | torn | out of order | MB/s | peak RSS | notes |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...report.rows,
  ]);
}
