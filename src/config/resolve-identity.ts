// A service's user: and group:, resolved when its file is read: looked up in /etc/passwd
// and /etc/group, and weighed against who corral runs as, so that a typo, or a user corral
// cannot switch to, is a configuration error rather than a service that fails at every start.
import type { ConfigProblem } from './config-error.js';
import { lookupGroup, lookupUser, parseGroup, parsePasswd, readGroupFile, readPasswdFile } from './accounts.js';
import type { Identity } from './schema.js';
import { closest } from './suggest.js';
import { switchProblem, type Credentials } from '../process/credentials.js';

// The identity for `config`, or the problems at its user: or group: key (`at` locates them).
export function resolveIdentity(
  config: { user?: string | number; group?: string | number },
  self: Credentials,
  at: (path: string, message: string) => ConfigProblem,
): { identity: Identity | undefined } | { problems: ConfigProblem[] } {
  if (config.user === undefined) return { identity: undefined };
  const passwd = readPasswdFile();
  const user = lookupUser(config.user, passwd);
  if (user === undefined) {
    const names = parsePasswd(passwd).flatMap((entry) => (entry.name ? [entry.name] : []));
    const suggestion = closest(String(config.user), names);
    const hint = suggestion ? `did you mean "${suggestion}"?` : 'create it in the image (useradd), or give a numeric uid';
    return { problems: [at('user', `no user "${config.user}" in /etc/passwd; ${hint}`)] };
  }
  let gid = user.gid;
  if (config.group !== undefined) {
    const groups = readGroupFile();
    const group = lookupGroup(config.group, groups);
    if (group === undefined) {
      const suggestion = closest(String(config.group), parseGroup(groups).flatMap((entry) => (entry.name ? [entry.name] : [])));
      const hint = suggestion ? `did you mean "${suggestion}"?` : 'create it in the image (groupadd), or give a numeric gid';
      return { problems: [at('group', `no group "${config.group}" in /etc/group; ${hint}`)] };
    }
    gid = group.gid;
  }
  const account = { userName: user.name, uid: user.uid, home: user.home, shell: user.shell };
  // corral's own user (and its group, unless group: names another) is no switch: the
  // service keeps corral's ids and groups. A uid missing from /etc/passwd (OpenShift's)
  // would otherwise get gid = uid, and a switch to it.
  if (user.uid === self.uid && (config.group === undefined || gid === self.gid)) return { identity: { ...account, gid: self.gid, asCorral: true } };
  const cannot = switchProblem(self, { uid: user.uid, gid, name: user.name });
  if (cannot !== undefined) return { problems: [at(user.uid === self.uid ? 'group' : 'user', cannot)] };
  return { identity: { ...account, gid } };
}
