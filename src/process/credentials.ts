// Who corral runs as, and whether it can start a service as someone else. A container may
// run corral as any uid (docker run --user 12345, OpenShift), or as root without the
// capabilities a switch needs (--cap-drop=ALL): then a service with another `user:` cannot
// start, and that is better said once, as a configuration error, than at every restart.
import { readFileSync } from 'node:fs';

export interface Credentials {
  uid: number;
  gid: number;
  /** CAP_SETUID and CAP_SETGID are effective: the exec shim can switch to another user. */
  canSwitchUser: boolean;
}

// Bit numbers in the kernel's capability sets (linux/capability.h).
const CAP_SETGID = 6n;
const CAP_SETUID = 7n;

// The effective capability set from /proc/PID/status text, or undefined without one.
export function effectiveCapabilities(statusText: string): bigint | undefined {
  const hex = /^CapEff:\s*([0-9a-f]+)$/m.exec(statusText)?.[1];
  return hex === undefined ? undefined : BigInt(`0x${hex}`);
}

export function credentialsOf(ids: { uid: number; gid: number }, statusText: string | undefined): Credentials {
  const caps = statusText === undefined ? undefined : effectiveCapabilities(statusText);
  // Without /proc, root is assumed to hold what root usually holds.
  const canSwitchUser = caps === undefined ? ids.uid === 0 : ((caps >> CAP_SETUID) & 1n) === 1n && ((caps >> CAP_SETGID) & 1n) === 1n;
  return { ...ids, canSwitchUser };
}

export function ownCredentials(): Credentials {
  let status: string | undefined;
  try {
    status = readFileSync('/proc/self/status', 'utf8');
  } catch {
    status = undefined;
  }
  return credentialsOf({ uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 }, status);
}

// Why corral cannot start a service as another uid/gid, in words with the fix, or
// undefined when it can.
export function switchProblem(self: Credentials, target: { uid: number; gid: number; name?: string | undefined }): string | undefined {
  if (self.canSwitchUser) return undefined;
  const who = `${target.name === undefined ? `uid ${target.uid}` : `user ${target.name} (uid ${target.uid})`}, gid ${target.gid}`;
  const why =
    self.uid === 0
      ? 'corral runs as root without CAP_SETUID and CAP_SETGID (dropped capabilities)'
      : `corral runs as uid ${self.uid}, gid ${self.gid}, not as root`;
  const fix =
    self.uid === 0
      ? "grant them (--cap-add=SETUID --cap-add=SETGID, or the pod's securityContext), or remove user: to run it as corral's own user"
      : "remove user: (and group:) to run it as corral's own user, or run corral as root";
  return `${why}, so it cannot start this service as ${who}; ${fix}`;
}
