// Names in services.d and init.d that are never read: dotfiles, and the leftovers of
// editors and package managers, as run-parts skips them. An editor's lock file
// (".#web.yaml", a dangling symbolic link emacs makes while web.yaml is edited) or swap
// file (".web.yaml.swp") must not make a reload fail.

// "10-setup~", "#web.yaml#", "10-setup.dpkg-old", "10-setup.ucf-dist", "10-setup.rpmnew".
const BACKUP = /(~|\.dpkg-[a-z]+|\.ucf-[a-z]+|\.rpm(save|new|orig))$|^#.*#$/;

/** Why `name` is skipped without a word, or undefined when it is read. */
export function ignoredNameReason(name: string): string | undefined {
  if (name.startsWith('.')) return 'its name starts with a dot';
  if (BACKUP.test(name)) return 'a backup file (a name ending in ~, .dpkg-*, .ucf-* or .rpmsave/.rpmnew/.rpmorig, or #NAME#)';
  return undefined;
}
