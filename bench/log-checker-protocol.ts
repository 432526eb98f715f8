// What bench/logs.ts tells the checker process (bench/log-checker.ts), and what it answers.

export interface CheckerConfig {
  /** The FIFO the supervisor's stdout is connected to. */
  fifo: string;
  /** lines: numbered 100-byte lines; long: one line of `count` bytes without a newline. */
  mode: 'lines' | 'long';
  /** The services' names, all of one length (at most 4), as written in each payload. */
  services: string[];
  /** lines: lines per service; long: bytes of the one line. */
  count: number;
  /** corral: `<name padded to width> | `; none: the payload alone. */
  prefix: 'corral' | 'none';
  /** corral's label column width. */
  width: number;
  /** The supervisor's own lines on the same stream (a regular expression), not counted as torn. */
  ownLine?: string;
  /** long mode: the longest piece a line may be cut into. */
  maxPiece?: number;
  /** Stop reading for `ms` once `atLine` intact lines were seen. */
  pause?: { atLine: number; ms: number };
  /** The end, once data came and then nothing for this long. */
  silenceMs: number;
  deadlineMs: number;
}

export interface CheckResult {
  event: 'result';
  ended: 'complete' | 'silence' | 'deadline' | 'error';
  /** Lines the supervisor wrote (counted by '\n'). */
  outputLines: number;
  intactLines: number;
  /** Sequence numbers never seen intact. */
  lost: number;
  /** Output lines that are not exactly one expected line (long mode: bad pieces). */
  torn: number;
  outOfOrder: number;
  duplicates: number;
  /** The supervisor's own lines (see CheckerConfig.ownLine). */
  ownLines: number;
  /** 100 bytes per intact line; long mode: the bytes that arrived in order. */
  payloadBytes: number;
  /** First to last byte read, less the requested pause. */
  seconds: number;
  mbPerSecond: number;
  /** long mode: the longest piece. */
  longestPiece?: number;
  /** The first few torn lines, JSON-quoted, cut at 240 bytes. */
  tornSamples: string[];
}

export type CheckerEvent = { event: 'ready' } | { event: 'paused' } | { event: 'resumed' } | CheckResult;
