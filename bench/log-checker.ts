// The reader of the log-relay benchmark: a process of its own that reads a supervisor's
// stdout (a FIFO, so the supervisor writes to a real pipe, as under Docker) and checks
// every line bytewise. It must be much faster than the relays it measures, so it never
// decodes a line into a string: it finds line ends with indexOf (or, for the expected line
// length, one byte test), compares prefix and filler in plain loops and parses the nine
// digits by hand. (The long line's 16 KiB pieces are few: those use Buffer.compare.)
//
//   node --import tsx bench/log-checker.ts '<CheckerConfig as JSON>'
//
// It reports on stdout, one JSON object a line: {"event":"ready"} once the FIFO is open,
// "paused"/"resumed" around a requested pause, and finally {"event":"result", ...}.
import { constants, openSync } from 'node:fs';
import { Socket } from 'node:net';
import type { CheckerConfig, CheckResult, CheckerEvent } from './log-checker-protocol.js';

const NEWLINE = 0x0a;
const SPACE = 0x20;
/** Every line a writer writes: 99 bytes and '\n'. */
const LINE = 100;

const config = JSON.parse(process.argv[2] ?? '') as CheckerConfig;

function send(event: CheckerEvent): void {
  process.stdout.write(`${JSON.stringify(event)}\n`);
}

// What the supervisor puts before a service's line: corral's padded label and ' | ' (or
// ' + ' for the later pieces of a cut line); the peers in this benchmark write none.
function heads(name: string): { head: Buffer; tail: Buffer } {
  if (config.prefix === 'none') return { head: Buffer.alloc(0), tail: Buffer.alloc(0) };
  const label = name.padEnd(config.width);
  return { head: Buffer.from(`${label} | `), tail: Buffer.from(`${label} + `) };
}

interface Checker {
  /** Whether [start, end) of buf, one output line without its '\n', is intact; counts it if so. */
  intact(buf: Buffer, start: number, end: number): boolean;
  /** Counts [start, end) as torn. */
  torn(buf: Buffer, start: number, end: number): void;
  /** True when nothing more is expected. */
  complete(): boolean;
  /** Length of an intact output line without its '\n' (a fast path), or -1. */
  expectedLength: number;
  intactLines: number;
  summary(): Omit<CheckResult, 'event' | 'ended' | 'seconds' | 'mbPerSecond' | 'outputLines' | 'ownLines' | 'tornSamples'>;
}

const tornSamples: string[] = [];
let outputLines = 0;
let ownLines = 0;
const ownLine = config.ownLine === undefined ? undefined : new RegExp(config.ownLine);

function tear(buf: Buffer, start: number, end: number): void {
  if (tornSamples.length < 5) tornSamples.push(JSON.stringify(buf.subarray(start, Math.min(end, start + 240)).toString('latin1')));
}

const FILLER_WORD = 0x78787878; // 'xxxx'

// Whether [start, end) is all 'x' (at least 4 bytes). Four bytes at a time through a
// DataView, which the JIT inlines: a Buffer.compare per line costs more in argument checks
// than the comparison itself, and kept this reader under 400 MB/s.
function isFiller(buf: Buffer, start: number, end: number): boolean {
  const view = viewOf(buf);
  const last = end - 4;
  for (let at = start; at < last; at += 4) if (view.getInt32(at) !== FILLER_WORD) return false;
  return view.getInt32(last) === FILLER_WORD;
}

// Whether buf holds expected at start: a plain loop, for the same reason as isFiller.
function startsWith(buf: Buffer, start: number, expected: Buffer): boolean {
  for (let i = 0; i < expected.length; i++) if (buf[start + i] !== expected[i]) return false;
  return true;
}

let viewed: Buffer | undefined;
let view: DataView | undefined;
function viewOf(buf: Buffer): DataView {
  if (buf !== viewed) {
    viewed = buf;
    view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  return view!;
}

// Numbered lines from config.services, config.count each.
function lineChecker(): Checker {
  const names = config.services;
  const nameLength = names[0]!.length;
  if (nameLength > 4 || names.some((name) => name.length !== nameLength)) throw new Error('service names must have one length of at most 4');
  // A service is found from its name's bytes packed into a number: no string per line.
  const byKey = new Map<number, number>();
  names.forEach((name, i) =>
    byKey.set(
      [...Buffer.from(name)].reduce((key, byte) => key * 256 + byte, 0),
      i,
    ),
  );
  const head = names.map((name) => heads(name).head);
  const prefixLength = head[0]!.length;
  const seen = names.map(() => new Uint8Array(config.count));
  const last = new Float64Array(names.length).fill(-1);
  const total = names.length * config.count;
  let seenCount = 0;
  let torn = 0;
  let outOfOrder = 0;
  let duplicates = 0;
  const self: Checker = {
    expectedLength: prefixLength + LINE - 1,
    intactLines: 0,
    intact,
    torn(buf, start, end) {
      torn += 1;
      tear(buf, start, end);
    },
    complete: () => seenCount === total,
    summary: () => ({ intactLines: self.intactLines, lost: total - seenCount, torn, outOfOrder, duplicates, payloadBytes: self.intactLines * LINE }),
  };
  // A line is `NAME SEQ xxx...x NAME SEQ`: the second NAME SEQ (the field at the end) must
  // repeat the first, which ties the line's tail to its head.
  const field = nameLength + 11;
  function intact(buf: Buffer, start: number, end: number): boolean {
    if (end - start !== self.expectedLength) return false;
    const payload = start + prefixLength;
    const tail = end - field;
    let key = 0;
    for (let i = 0; i < nameLength; i++) {
      const byte = buf[payload + i]!;
      if (buf[tail + 1 + i] !== byte) return false;
      key = key * 256 + byte;
    }
    const service = byKey.get(key);
    if (service === undefined || buf[payload + nameLength] !== SPACE || buf[payload + nameLength + 10] !== SPACE) return false;
    if (buf[tail] !== SPACE || buf[tail + 1 + nameLength] !== SPACE) return false;
    if (prefixLength > 0 && !startsWith(buf, start, head[service]!)) return false;
    if (!isFiller(buf, payload + field, tail)) return false;
    let seq = 0;
    for (let i = 0; i < 9; i++) {
      const byte = buf[payload + nameLength + 1 + i]!;
      const digit = byte - 0x30;
      if (digit < 0 || digit > 9 || buf[tail + nameLength + 2 + i] !== byte) return false;
      seq = seq * 10 + digit;
    }
    if (seq >= config.count) return false;
    self.intactLines += 1;
    // Out of order: a number below one already seen from the same service.
    if (seq <= last[service]!) outOfOrder += 1;
    else last[service] = seq;
    const marks = seen[service]!;
    if (marks[seq] === 0) {
      marks[seq] = 1;
      seenCount += 1;
    } else duplicates += 1;
    return true;
  }
  return self;
}

// One line of config.count bytes ('A'..'Z' over and over) from the one service. corral
// cuts it into pieces of at most config.maxPiece bytes, the first marked '|', the rest '+';
// the peers pass it on in whatever pieces they read, without a prefix.
function longLineChecker(): Checker {
  const { head, tail } = heads(config.services[0]!);
  const pattern = Buffer.alloc(config.count);
  for (let i = 0; i < pattern.length; i++) pattern[i] = 0x41 + (i % 26);
  let offset = 0;
  let badPieces = 0;
  let longestPiece = 0;
  const self: Checker = {
    expectedLength: -1,
    intactLines: 0,
    intact(buf, start, end) {
      const marker = offset === 0 ? head : tail;
      const content = start + marker.length;
      const length = end - content;
      const good =
        length >= 0 &&
        (config.maxPiece === undefined || length <= config.maxPiece) &&
        offset + length <= pattern.length &&
        marker.compare(buf, start, content) === 0 &&
        pattern.compare(buf, content, end, offset, offset + length) === 0;
      if (!good) return false;
      offset += length;
      longestPiece = Math.max(longestPiece, length);
      self.intactLines += 1;
      return true;
    },
    torn(buf, start, end) {
      badPieces += 1;
      tear(buf, start, end);
    },
    complete: () => offset === pattern.length,
    summary: () => ({ intactLines: self.intactLines, lost: 0, torn: badPieces, outOfOrder: 0, duplicates: 0, payloadBytes: offset, longestPiece }),
  };
  return self;
}

const checker = config.mode === 'lines' ? lineChecker() : longLineChecker();
let partial: Buffer | undefined;
let firstData: number | undefined;
let lastData = 0;
let pausedMs = 0;
let pausedUntil: number | undefined;
let finished = false;

// Checks every whole line in chunk; keeps the unfinished rest for the next chunk.
function onData(chunk: Buffer): void {
  const now = performance.now();
  firstData ??= now;
  lastData = now;
  let start = 0;
  if (partial !== undefined) {
    const newline = chunk.indexOf(NEWLINE);
    if (newline === -1) {
      partial = Buffer.concat([partial, chunk]);
      return;
    }
    const joined = Buffer.concat([partial, chunk.subarray(0, newline)]);
    partial = undefined;
    check(joined, 0, joined.length);
    start = newline + 1;
  }
  const expected = checker.expectedLength;
  for (;;) {
    // Fast path: the line an intact one would be, if it ends where an intact one ends.
    // (It may still hold a newline inside, so when it is not intact, look again.)
    let end = start + expected;
    if (expected >= 0 && end < chunk.length && chunk[end] === NEWLINE && checker.intact(chunk, start, end)) {
      outputLines += 1;
      start = end + 1;
      continue;
    }
    end = chunk.indexOf(NEWLINE, start);
    if (end === -1) break;
    check(chunk, start, end);
    start = end + 1;
  }
  if (start < chunk.length) partial = chunk.subarray(start);
  if (checker.complete()) finish('complete');
  else maybePause();
}

// The general path: any line. Only lines that are not intact are decoded, to tell the
// supervisor's own messages from torn lines.
function check(buf: Buffer, start: number, end: number): void {
  outputLines += 1;
  if (checker.intact(buf, start, end)) return;
  if (ownLine?.test(buf.toString('latin1', start, end))) ownLines += 1;
  else checker.torn(buf, start, end);
}

function maybePause(): void {
  if (config.pause === undefined || pausedUntil !== undefined || checker.intactLines < config.pause.atLine) return;
  socket.pause();
  pausedUntil = performance.now() + config.pause.ms;
  send({ event: 'paused' });
  setTimeout(() => {
    pausedMs = config.pause!.ms;
    send({ event: 'resumed' });
    // The silence clock starts again now: the pause was ours, not the supervisor's.
    lastData = performance.now();
    socket.resume();
  }, config.pause.ms);
}

function finish(ended: CheckResult['ended']): void {
  if (finished) return;
  finished = true;
  // What is left without a newline is one more output line: a peer's unfinished piece.
  if (partial !== undefined && partial.length > 0) check(partial, 0, partial.length);
  const seconds = firstData === undefined ? 0 : (lastData - firstData - pausedMs) / 1000;
  const summary = checker.summary();
  send({
    event: 'result',
    ended,
    outputLines,
    ownLines,
    ...summary,
    seconds,
    mbPerSecond: seconds > 0 ? summary.payloadBytes / 1e6 / seconds : 0,
    tornSamples,
  });
  socket.destroy();
  clearInterval(clock);
  clearTimeout(deadline);
}

// Opened read-write: the checker is then a writer of the FIFO itself, so opening it never
// blocks and a supervisor closing its end is not an EOF. The end is the last expected
// line, or a silence.
const socket = new Socket({ fd: openSync(config.fifo, constants.O_RDWR | constants.O_NONBLOCK), readable: true, writable: false });
socket.on('data', onData);
socket.on('error', (error) => {
  process.stderr.write(`log-checker: ${error.message}\n`);
  finish('error');
});
const clock = setInterval(() => {
  if (firstData === undefined || (pausedUntil !== undefined && performance.now() < pausedUntil)) return;
  if (performance.now() - lastData > config.silenceMs) finish('silence');
}, 100);
const deadline = setTimeout(() => finish('deadline'), config.deadlineMs);
send({ event: 'ready' });
