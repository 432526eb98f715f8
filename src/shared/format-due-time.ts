// A due time as a schedule's zone reads it; in shared/ so that `corral status` shows it
// without loading croner with the rest of schedule-times.ts (issue 20).

// "2026-03-29 03:00:00 Europe/Berlin": a due time as the schedule's zone reads it.
export function formatDueTime(ms: number, timezone: string): string {
  const text = new Intl.DateTimeFormat('sv-SE', {
    timeZone: timezone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).format(ms);
  return `${text} ${timezone}`;
}
