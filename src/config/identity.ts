// user and group, looked up in /etc/passwd and /etc/group when the files are read, and
// weighed against who corral runs as, so a typo, or a user corral cannot switch to, is a
// configuration error rather than a service that fails at every start. The
// account files are read once per load, however many services name a user.
import { AccountFileError, lookupGroup, lookupUser, parseGroup, parsePasswd, readGroupFile, readPasswdFile } from './accounts.js';
import type { ConfigProblem } from './config-error.js';
import type { Identity } from './service-config.js';
import { closest } from './suggest.js';
import { switchProblem, type Credentials } from '../process/credentials.js';

/** The text of /etc/passwd and /etc/group, each read the first time it is needed. */
export interface AccountFiles {
  passwd: () => string;
  group: () => string;
}

export function accountFilesOnce(): AccountFiles {
  const once = (read: () => string): (() => string) => {
    let result: { text: string } | { error: unknown } | undefined;
    return () => {
      if (result === undefined) {
        try {
          result = { text: read() };
        } catch (error) {
          result = { error };
        }
      }
      if ('error' in result) throw result.error;
      return result.text;
    };
  };
  return { passwd: once(() => readPasswdFile()), group: once(() => readGroupFile()) };
}

type At = (path: string, message: string) => ConfigProblem;

export function resolveIdentity(
  config: { user?: string | number; group?: string | number },
  accounts: AccountFiles,
  self: Credentials,
  at: At,
): { identity: Identity | undefined } | { problems: ConfigProblem[] } {
  if (config.user === undefined) return { identity: undefined };
  const passwd = readAt(accounts.passwd, 'user', at);
  if ('problems' in passwd) return passwd;
  const user = lookupUser(config.user, passwd.text);
  if (user === undefined) {
    const names = parsePasswd(passwd.text).flatMap((entry) => (entry.name ? [entry.name] : []));
    const suggestion = closest(String(config.user), names);
    const hint = suggestion ? `did you mean "${suggestion}"?` : 'create it in the image (useradd), or give a numeric uid';
    return { problems: [at('user', `no user "${config.user}" in /etc/passwd; ${hint}`)] };
  }
  let gid = user.gid;
  if (config.group !== undefined) {
    const groups = readAt(accounts.group, 'group', at);
    if ('problems' in groups) return groups;
    const group = lookupGroup(config.group, groups.text);
    if (group === undefined) {
      const suggestion = closest(
        String(config.group),
        parseGroup(groups.text).flatMap((entry) => (entry.name ? [entry.name] : [])),
      );
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

// An account file that cannot be read is a problem of the key that needed it.
function readAt(read: () => string, key: string, at: At): { text: string } | { problems: ConfigProblem[] } {
  try {
    return { text: read() };
  } catch (error) {
    if (!(error instanceof AccountFileError)) throw error;
    return { problems: [at(key, error.message)] };
  }
}
