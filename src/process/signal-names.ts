// Signal names as users write them ("TERM", "sigterm", "SIGTERM") and as Node wants them.
import { constants } from 'node:os';

export type SignalName = NodeJS.Signals;

const byName = constants.signals as Record<string, number>;

// "term" | "TERM" | "SIGTERM" -> "SIGTERM"; undefined when no such signal exists.
export function normalizeSignal(text: string): SignalName | undefined {
  const upper = text.trim().toUpperCase();
  const name = upper.startsWith('SIG') ? upper : `SIG${upper}`;
  return name in byName ? (name as SignalName) : undefined;
}

// 9 -> "SIGKILL"
export function signalName(signal: number): string {
  return Object.entries(byName).find(([, n]) => n === signal)?.[0] ?? `signal ${signal}`;
}

export function signalNumber(name: SignalName): number {
  return byName[name] ?? 0;
}
