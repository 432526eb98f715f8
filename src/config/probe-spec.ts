// What a `ready:` or `health:` probe checks, as the config schema hands it over.

export type ProbeSpec =
  /** Ready when the command exits 0. */
  | { kind: 'exec'; argv: [string, ...string[]] }
  /** Ready when a TCP connection to host:port succeeds. */
  | { kind: 'tcp'; host: string; port: number }
  /** Ready when a GET answers 2xx; redirects are not followed. */
  | { kind: 'http'; url: string };
