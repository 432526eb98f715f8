// `corral status` for people: a heading on corral and the container, then one row per
// service, columns as wide as their content so the table fits 80 columns, then a line for
// each service that needs explaining (why it is blocked or failed).
import { formatByteCount } from '../config/byte-size.js';
import { formatDuration } from '../shared/format-duration.js';
import { formatDueTime } from '../shared/format-due-time.js';
import { describeRuns } from '../supervisor/schedule-record.js';
import type { LastExit, ScheduleSnapshot } from './snapshot.js';
import type { ServiceStatus, StatusReport } from './protocol.js';

const COLUMNS = ['SERVICE', 'STATE', 'PID', 'UPTIME', 'RESTARTS', 'READY', 'CPU%', 'RSS', 'PROCS', 'LAST EXIT'] as const;
const MAX_WIDTH = 80;
const RIGHT_ALIGNED = new Set(['PID', 'UPTIME', 'RESTARTS', 'CPU%', 'RSS', 'PROCS']);

export function formatStatus(report: StatusReport): string {
  const { corral, container } = report;
  const mode = corral.pid === 1 ? 'as PID 1' : `as pid ${corral.pid}`;
  const phase = corral.phase === 'running' ? '' : `, ${corral.phase === 'stopping' ? 'shutting down' : 'stopping now'}`;
  const head = [
    `corral ${corral.version} ${mode}, up ${formatUptime(corral.at - corral.startedAt)}${phase}; ${corral.orphansReaped} orphan(s) reaped`,
    `container: ${describeContainer(container)}`,
  ];
  const rows = report.services.map((service) => row(service, corral.at));
  const widths = COLUMNS.map((column, index) => Math.max(column.length, ...rows.map((cells) => cells[index]!.length)));
  // Two spaces between columns, or one when two would pass 80 columns (long names, big pids).
  const gap = widths.reduce((sum, width) => sum + width, 0) + 2 * (widths.length - 1) <= MAX_WIDTH ? '  ' : ' ';
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, index) => (RIGHT_ALIGNED.has(COLUMNS[index]!) ? cell.padStart(widths[index]!) : cell.padEnd(widths[index]!)))
      .join(gap)
      .trimEnd();
  const notes = report.services.flatMap((service) => note(service, corral.at));
  const table = rows.length > 0 ? [line(COLUMNS), ...rows.map(line)] : ['no services'];
  return [...head, '', ...table, ...(notes.length > 0 ? ['', ...notes] : [])].join('\n') + '\n';
}

function describeContainer(container: StatusReport['container']): string {
  const cpu = container.cpuPercent === null ? 'CPU ?' : `CPU ${container.cpuPercent.toFixed(1)}%`;
  const cpuLimit = container.cpuLimit === undefined ? `(no limit, ${container.cpusAvailable} CPUs)` : `of ${trimNumber(container.cpuLimit)} CPUs`;
  const memory = container.memoryBytes === undefined ? 'memory ?' : `memory ${formatByteCount(container.memoryBytes)}`;
  const memoryLimit = container.memoryLimitBytes === undefined ? '(no limit)' : `of ${formatByteCount(container.memoryLimitBytes)}`;
  const source = container.version === undefined ? 'no cgroup found' : `cgroup v${container.version}`;
  return `${cpu} ${cpuLimit}; ${memory} ${memoryLimit}; ${source}`;
}

function row(service: ServiceStatus, at: number): string[] {
  const { usage } = service;
  const running = service.startedAt !== null;
  return [
    service.name,
    service.state,
    service.pid === null ? '-' : String(service.pid),
    running ? formatUptime(Math.max(0, at - service.startedAt!)) : '-',
    String(service.restarts),
    service.ready ? 'yes' : 'no',
    usage?.cpuPercent == null ? '-' : usage.cpuPercent.toFixed(1),
    usage ? compactBytes(usage.rssBytes) : '-',
    usage ? String(usage.processes) : '-',
    service.lastExit ? shortExit(service.lastExit) : '-',
  ];
}

function note(service: ServiceStatus, at: number): string[] {
  const { name, schedule } = service;
  if (service.stoppedByOperator && service.state === 'stopped') {
    return [
      schedule
        ? `${name}: schedule paused with corral stop; corral start ${name} runs it now and resumes it`
        : `${name}: stopped with corral stop; corral start ${name} starts it`,
    ];
  }
  if (service.problem !== null) return [`${name}: ${service.problem}`];
  if (schedule) return [`${name}: ${describeScheduleNote(schedule, at)}`];
  return [];
}

// "*/15 * * * * (UTC), next run 2026-03-29 03:00:00 UTC (in 4m10s); last run exited with
// code 0 after 1.2s; 12 run(s): 12 succeeded"
function describeScheduleNote(schedule: ScheduleSnapshot, at: number): string {
  const next =
    schedule.nextRunAt === null
      ? 'no next run'
      : `next run ${formatDueTime(schedule.nextRunAt, schedule.timezone)} (in ${formatUptime(Math.max(0, schedule.nextRunAt - at))})`;
  const last = schedule.lastRun ? `; last run ${schedule.lastRun.description} after ${formatDuration(schedule.lastRun.durationMs)}` : '; no run yet';
  return `${schedule.description}, ${next}${last}; ${describeRuns(schedule.runs)}`;
}

// "code 2", "SIGKILL", "ENOENT": the detail is in the log and in --json.
export function shortExit(exit: LastExit): string {
  if (exit.code !== null) return `code ${exit.code}`;
  if (exit.signal !== null) return exit.signal;
  return 'not started';
}

// 59s, 12m03s, 5h07m, 3d04h
export function formatUptime(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  const two = (n: number): string => String(n).padStart(2, '0');
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${two(seconds % 60)}s`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)}h${two(Math.floor(seconds / 60) % 60)}m`;
  return `${Math.floor(seconds / 86400)}d${two(Math.floor(seconds / 3600) % 24)}h`;
}

// 512B, 38.1M, 120M, 1.2G: RSS in a narrow column (at most 5 characters up to 1000 TiB).
export function compactBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes}B`;
  let size = bytes;
  for (const unit of ['K', 'M', 'G', 'T']) {
    size /= 1024;
    // Rounded as shown, so 1023.99K is 1.0M, not 1024K, and 99.99K is 100K, not 100.0K.
    const shown = size < 99.95 ? size.toFixed(1) : String(Math.round(size));
    if (Number(shown) < 1024 || unit === 'T') return `${shown}${unit}`;
  }
  return `${bytes}B`;
}

function trimNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(2).replace(/0$/, '');
}
