// Every limit on what corral takes in from its configuration, in one place. Each is far
// above what a real services directory needs, and low enough that corral, running as
// PID 1 with a 128 MiB heap, reads the worst input that stays within them quickly and
// in bounded memory. docs/services.md has the same table ("Limits on what corral reads"),
// and a test keeps the two equal.

const KiB = 1024;
const MiB = 1024 * KiB;

export const LIMITS = {
  /** Names in the services directory (of any kind), read before anything is parsed. */
  directoryEntries: 10_000,
  /** *.yaml and *.yml files in the services directory. */
  serviceFiles: 1_000,
  /**
   * Instances of one service (replicas). The largest pools asked for are 100-200 queue
   * workers (s6-overlay #508); each instance costs corral a runner, pipes and a log ring
   * (up to 64 KiB), and a larger pool is one program's job (php-fpm's pm.max_children).
   */
  replicas: 200,
  /** Services corral runs, each instance of replicas counted: what serviceFiles allows, replicas or not. */
  services: 1_000,
  /** One service file. Real ones are a few KiB. */
  serviceFileBytes: 64 * KiB,
  /** One env_file; a value is at most 128 KiB anyway (execStringBytes). */
  envFileBytes: 256 * KiB,
  /** One secret file (environment: {NAME: {file: PATH}}), read at each start; far above a password, a key or a certificate chain. */
  secretFileBytes: 64 * KiB,
  /** {file: PATH} entries of one service, each read at each start; a real service has a few. */
  secretFiles: 64,
  /** /etc/passwd or /etc/group. */
  accountFileBytes: 4 * MiB,
  /** Everything one load reads (service files and env files, each env file once). */
  loadBytes: 2 * MiB,
  /**
   * YAML tokens (words, punctuation, spaces, comments, line breaks) in one file, and in
   * all files of one load. What parsing costs is per token (up to ~10 us and ~0.4 KiB of
   * heap each): a 64 KiB file of line breaks alone is 65,536 tokens.
   */
  yamlTokens: 50_000,
  loadYamlTokens: 100_000,
  /** Collections inside collections in one file; a real file nests 3 deep (ready.exec.0). */
  yamlDepth: 32,
  /** YAML nodes (keys, values, list items) in one file, counting what aliases repeat. */
  yamlNodes: 10_000,
  /** One string that reaches exec (an argument, or NAME=value): the kernel's MAX_ARG_STRLEN, its NUL included. */
  execStringBytes: 128 * KiB,
  /** A service's arguments and environment, each string counted with its NUL and its 8-byte pointer, as the kernel does. */
  execTotalBytes: 1 * MiB,
  /** The longest duration: setTimeout fires at once for anything longer (2^31-1 ms, 24.8 days). */
  durationMs: 2 ** 31 - 1,
  /** An rlimit value: the largest integer a JavaScript number holds exactly (2^53-1). */
  rlimit: Number.MAX_SAFE_INTEGER,
  /** A numeric uid or gid: (uid_t)-1 means "leave unchanged" to the kernel, so it is never an id. */
  accountId: 0xfffffffe,
  /** A service name and a log prefix, in characters: a DNS label's length. */
  nameLength: 63,
  /** A ready.log regular expression, in characters. */
  logPatternLength: 4 * KiB,
  /** Problems listed in one error; the rest are counted. */
  problemsShown: 100,
} as const;

// The kernel's floor for the space of arguments and environment (32 pages), whatever the
// stack limit.
export const KERNEL_ARG_MIN_BYTES = 128 * KiB;
