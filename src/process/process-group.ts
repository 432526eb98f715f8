// Signals a service's whole process group (its pid is the group id: it was started in a
// new session), so children of shells and workers get the signal too.

// Sends `signal` to group `pgid`. Returns false when the group no longer exists.
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

// The stop signal, then SIGCONT: a stopped process acts on neither until continued.
export function stopGroup(pgid: number, signal: NodeJS.Signals): boolean {
  const delivered = signalGroup(pgid, signal);
  signalGroup(pgid, 'SIGCONT');
  return delivered;
}

export function groupExists(pgid: number): boolean {
  return signalGroup(pgid, 0);
}
