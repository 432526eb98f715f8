// The figures of the cost benchmark (bench/cost.ts): every round's value of every measure,
// kept by a key ("rss 20|corral"), and the targets of issue 20, each a ratio (or a
// difference) of two medians of the same run, marked met or missed.
import { quantile } from './control-measure.js';

export class Samples {
  private readonly values = new Map<string, number[]>();

  add(key: string, value: number): void {
    this.values.set(key, [...(this.values.get(key) ?? []), value]);
  }

  has(key: string): boolean {
    return (this.values.get(key)?.length ?? 0) > 0;
  }

  all(key: string): number[] {
    return this.values.get(key) ?? [];
  }

  /** The median (nearest rank, the lower middle for an even count); NaN when none. */
  median(key: string): number {
    const values = this.all(key);
    return values.length === 0 ? Number.NaN : quantile(values, 0.5);
  }

  /** "median (min–max)" with its unit, or "—". */
  cell(key: string, unit: string, digits = 0): string {
    const values = this.all(key);
    if (values.length === 0) return '—';
    const fixed = (value: number): string => value.toFixed(digits);
    return `${fixed(this.median(key))} ${unit} (${fixed(Math.min(...values))}–${fixed(Math.max(...values))})`;
  }
}

export interface Target {
  what: string;
  /** corral's median and the reference's, as the table shows them. */
  corral: string;
  reference: string;
  /** The ratio or difference, and the limit. */
  got: number;
  limit: number;
  unit: 'x' | 'MiB';
  /** 'at most' for costs, 'at least' for throughput. */
  sense: 'at most' | 'at least';
  /** Another condition that must hold too, e.g. "0 bad lines", and whether it does. */
  also?: { what: string; holds: boolean };
}

export function targetRow(target: Target): string {
  // Infinite (some cost where the reference has none) is measured, and missed.
  const measured = !Number.isNaN(target.got);
  const within = target.sense === 'at most' ? target.got <= target.limit : target.got >= target.limit;
  const met = measured && within && (target.also?.holds ?? true);
  const got = target.got === Infinity ? '∞' : target.unit === 'x' ? `${target.got.toFixed(2)}x` : `${target.got >= 0 ? '+' : ''}${target.got.toFixed(1)} MiB`;
  const limit = target.unit === 'x' ? `${target.limit}x` : `+${target.limit} MiB`;
  const also = target.also === undefined ? '' : `; ${target.also.what}: ${target.also.holds ? 'yes' : 'no'}`;
  const mark = !measured ? '— not measured' : met ? '✅ met' : '❌ missed';
  return `| ${target.what} | ${target.corral} | ${target.reference} | ${measured ? got : '—'} | ${target.sense} ${limit}${also} | ${mark} |`;
}

export const TARGET_HEAD = ['| target | corral | reference | got | limit | |', '| --- | --- | --- | --- | --- | --- |'];

// Ratio and difference targets from the samples.
export function ratio(
  samples: Samples,
  what: string,
  corral: [string, string, number?],
  reference: [string, string, number?],
  limit: number,
  sense: Target['sense'] = 'at most',
): Target {
  const [a, b] = [samples.median(corral[0]), samples.median(reference[0])];
  // Both exactly nothing (idle CPU from schedstat's nanoseconds: not one wakeup in the
  // window) is equal, not unmeasured; nothing against something stays 0x or infinite.
  const got = a === 0 && b === 0 ? 1 : a / b;
  return { what, corral: samples.cell(...corral), reference: samples.cell(...reference), got, limit, unit: 'x', sense };
}

export function difference(samples: Samples, what: string, corral: [string, string, number?], reference: [string, string, number?], limit: number): Target {
  const [a, b] = [samples.median(corral[0]), samples.median(reference[0])];
  return { what, corral: samples.cell(...corral), reference: samples.cell(...reference), got: a - b, limit, unit: 'MiB', sense: 'at most' };
}
