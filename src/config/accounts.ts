// Users and groups from /etc/passwd and /etc/group, for a service's `user:` and `group:`.
// Parsed in JS rather than through getpwnam: Node has no binding for it, and NSS modules
// beyond files (LDAP, sssd) do not exist in the containers corral runs in. The parsers
// take file text, so tests need no real /etc.
import { describeReadFailure, readBoundedFile } from './bounded-read.js';
import { LIMITS } from './limits.js';

export interface UserAccount {
  /** undefined for a numeric uid that /etc/passwd does not list. */
  name: string | undefined;
  uid: number;
  /** Primary group. */
  gid: number;
  home: string;
  shell: string;
}

export interface GroupAccount {
  /** undefined for a numeric gid that /etc/group does not list. */
  name: string | undefined;
  gid: number;
  /** User names listed as members (the 4th field); a user's primary group usually lists nobody. */
  members: string[];
}

const MAX_ID = LIMITS.accountId;

function parseId(text: string): number | undefined {
  if (!/^\d+$/.test(text)) return undefined;
  const id = Number(text);
  return id <= MAX_ID ? id : undefined;
}

// The colon-separated records of a passwd or group file. Blank lines, '#' comments and
// NIS compat lines ('+name', '-name') are not records.
function records(text: string, fieldCount: number): string[][] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#') && !line.startsWith('+') && !line.startsWith('-'))
    .map((line) => line.split(':'))
    .filter((fields) => fields.length >= fieldCount);
}

// Every well-formed entry of /etc/passwd text, in file order; malformed lines are skipped.
export function parsePasswd(text: string): UserAccount[] {
  return records(text, 7).flatMap(([name, , uidText, gidText, , home, shell]) => {
    const uid = parseId(uidText!);
    const gid = parseId(gidText!);
    return uid === undefined || gid === undefined ? [] : [{ name: name!, uid, gid, home: home!, shell: shell! }];
  });
}

// Every well-formed entry of /etc/group text, in file order; malformed lines are skipped.
export function parseGroup(text: string): GroupAccount[] {
  return records(text, 4).flatMap(([name, , gidText, memberText]) => {
    const gid = parseId(gidText!);
    const members = memberText!
      .split(',')
      .map((member) => member.trim())
      .filter((member) => member !== '');
    return gid === undefined ? [] : [{ name: name!, gid, members }];
  });
}

// Resolves a name, or an id given as a number or a string of digits, the way chown does:
// a name listed in the file wins, then a numeric id. Returns undefined for an unknown
// name or an id out of range.
//
// A numeric uid that the file does not list is still valid (images often run as an
// arbitrary uid, e.g. OpenShift): it gets gid = uid, home '/' and shell '/bin/sh'. gid = uid
// follows the usual one-private-group-per-user convention and grants nothing; Docker's
// choice for this case, gid 0, would quietly give the service root's group.
export function lookupUser(nameOrId: string | number, passwdText: string): UserAccount | undefined {
  const users = parsePasswd(passwdText);
  const key = String(nameOrId);
  const byName = typeof nameOrId === 'string' ? users.find((user) => user.name === key) : undefined;
  if (byName) return byName;
  const uid = parseId(key);
  if (uid === undefined) return undefined;
  return users.find((user) => user.uid === uid) ?? { name: undefined, uid, gid: uid, home: '/', shell: '/bin/sh' };
}

// Like lookupUser, for groups: a numeric gid that /etc/group does not list is valid, with no
// name and no members.
export function lookupGroup(nameOrId: string | number, groupText: string): GroupAccount | undefined {
  const groups = parseGroup(groupText);
  const key = String(nameOrId);
  const byName = typeof nameOrId === 'string' ? groups.find((group) => group.name === key) : undefined;
  if (byName) return byName;
  const gid = parseId(key);
  if (gid === undefined) return undefined;
  return groups.find((group) => group.gid === gid) ?? { name: undefined, gid, members: [] };
}

// The group list initgroups(userName, primaryGid) would set: the primary gid first, then
// every group that lists the user as a member, each once, in file order.
export function supplementaryGroups(userName: string, primaryGid: number, groupText: string): number[] {
  const gids = [primaryGid];
  for (const group of parseGroup(groupText)) {
    if (group.members.includes(userName) && !gids.includes(group.gid)) gids.push(group.gid);
  }
  return gids;
}

/** /etc/passwd or /etc/group exists but cannot be read, or is not a file within the limit. */
export class AccountFileError extends Error {
  override name = 'AccountFileError';
}

// The text of a passwd file; '' when it does not exist (distroless images have none, and
// numeric ids still work without it). Other read problems throw AccountFileError.
export function readPasswdFile(path = '/etc/passwd'): string {
  return readOptional(path);
}

// The text of a group file; '' when it does not exist, as readPasswdFile.
export function readGroupFile(path = '/etc/group'): string {
  return readOptional(path);
}

function readOptional(path: string): string {
  const read = readBoundedFile(path, LIMITS.accountFileBytes);
  if ('bytes' in read) return read.bytes.toString('utf8');
  if (read.failure.kind === 'missing') return '';
  throw new AccountFileError(`${path} ${describeReadFailure(read.failure, 'an account file')}`);
}
