// One row of the log-relay benchmark's table from several runs of one workload under one
// supervisor: the worst run for what must not happen (lost, torn, out of order) and for
// memory, the median for MB/s, whose spread between runs is mostly the machine's.
import type { RunFigures, Scenario } from './log-run.js';

export interface RowInput {
  workload: string;
  supervisor: string;
  scenario: Scenario;
  runs: RunFigures[];
  /** false: too little data for a rate to mean anything. */
  throughput: boolean;
  /** Describe the RSS samples around the reader's pause. */
  pause: boolean;
}

const mib = (value: number | undefined): string => (value === undefined ? '—' : `${value.toFixed(0)} MiB`);

function percent(part: number, whole: number): string {
  return part === 0 ? '0' : `${part} (${((100 * part) / whole).toFixed(2)}%)`;
}

function worst(runs: RunFigures[], key: (run: RunFigures) => number): RunFigures {
  return runs.reduce((a, b) => (key(b) > key(a) ? b : a));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

// RSS just before the pause, its range during the pause, and its peak after it.
function pauseNote(figures: RunFigures): string {
  const { samples, paused } = figures;
  if (paused === undefined) return 'no pause (the reader never got that far)';
  const before = samples.filter((sample) => sample.at < paused.from).at(-1)?.mib;
  const during = samples.filter((sample) => sample.at >= paused.from && sample.at <= paused.to).map((sample) => sample.mib);
  const after = samples.filter((sample) => sample.at > paused.to).map((sample) => sample.mib);
  const range = during.length === 0 ? '—' : `${Math.min(...during).toFixed(0)}–${Math.max(...during).toFixed(0)} MiB`;
  return `RSS before the pause ${mib(before)}, during it ${range}, after it up to ${after.length === 0 ? '—' : mib(Math.max(...after))}`;
}

export function tableRow(input: RowInput): string {
  const { scenario, runs } = input;
  const notes: string[] = [];
  let lost: string;
  if (scenario.mode === 'long') {
    const run = worst(runs, (r) => -r.check.payloadBytes);
    const missing = scenario.count - run.check.payloadBytes;
    lost = missing === 0 ? '0' : `${missing} B`;
    const pieces = run.check.intactLines;
    notes.push(
      `${run.check.payloadBytes} of ${scenario.count} bytes in order, in ${pieces} piece${pieces === 1 ? '' : 's'} of at most ${run.check.longestPiece ?? 0} B`,
    );
  } else {
    lost = percent(worst(runs, (r) => r.check.lost).check.lost, scenario.count * scenario.services.length);
  }
  const tornRun = worst(runs, (r) => r.check.torn);
  const torn = scenario.mode === 'long' ? String(tornRun.check.torn) : percent(tornRun.check.torn, tornRun.check.outputLines);
  const outOfOrder = worst(runs, (r) => r.check.outOfOrder).check.outOfOrder;
  const rates = runs.map((r) => r.check.mbPerSecond);
  const rate = input.throughput ? median(rates).toFixed(0) : '—';
  const [low, high] = [Math.min(...rates).toFixed(0), Math.max(...rates).toFixed(0)];
  if (input.throughput && runs.length > 1) notes.push(low === high ? `MB/s ${low} in each run` : `MB/s ${low}–${high}`);
  const peakRun = worst(runs, (r) => r.peakMib ?? 0);
  if (input.pause) notes.push(pauseNote(peakRun));
  const own = Math.max(...runs.map((r) => r.check.ownLines));
  if (own > 0) notes.push(`${own} lines of its own`);
  const duplicates = Math.max(...runs.map((r) => r.check.duplicates));
  if (duplicates > 0) notes.push(`${duplicates} duplicates`);
  const endings = [...new Set(runs.map((r) => r.check.ended).filter((ended) => ended !== 'complete'))];
  if (endings.length > 0) notes.push(`ended by ${endings.join(', ')}`);
  return `| ${input.workload} | ${input.supervisor} | ${lost} | ${torn} | ${outOfOrder} | ${rate} | ${mib(peakRun.peakMib)} | ${notes.join('; ')} |`;
}
