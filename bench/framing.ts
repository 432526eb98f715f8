// Micro-benchmark of the relay's per-chunk work, without pipes or processes: the bytes
// bench/logs.ts's main workload sends (numbered 100-byte lines) cut into 64 KiB reads,
// framed and encoded by corral's default text encoder with every line kept in the
// service's LogRing, as launch.ts wires a relay. Prints MB/s of service output and the
// cost per line. Run it as corral runs (a small young generation):
//
//   node --max-semi-space-size=1 --import tsx bench/framing.ts [--seconds 3] [--timestamps] [--line 100]
import { parseArgs } from 'node:util';
import { createLineEncoder } from '../src/logging/line-encoder.js';
import { LineFramer } from '../src/logging/line-framer.js';
import { LogRing } from '../src/logging/log-ring.js';
import { PLAIN_STYLE } from '../src/logging/log-style.js';
import { keepingLinesIn } from '../src/logging/ring-encoder.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '3' },
    timestamps: { type: 'boolean', default: false },
    line: { type: 'string', default: '100' },
  },
});
const LINE = Number(values.line);
const READ = 64 * 1024;
const MAX_LINE = 16 * 1024; // log.max_line's default

// 4 MiB of numbered lines, like bench/line-writer.c's, cut where 64 KiB reads would cut them.
const lines: Buffer[] = [];
for (let i = 0, total = 0; total < 4 * 1024 * 1024; i++) {
  const number = String(i).padStart(9, '0');
  const line = Buffer.from(`a ${number} `.padEnd(LINE - 12, 'x') + ` a ${number}\n`);
  lines.push(line);
  total += line.length;
}
const stream = Buffer.concat(lines);
const chunks: Buffer[] = [];
for (let at = 0; at < stream.length; at += READ) chunks.push(stream.subarray(at, Math.min(at + READ, stream.length)));

const style = { ...PLAIN_STYLE, timestamps: values.timestamps };
const origin = { service: 'a', label: 'a', stream: 'stdout' as const, pid: 1 };
const ring = new LogRing();
const framer = new LineFramer(keepingLinesIn(ring, 'stdout', createLineEncoder(style, origin, false)), MAX_LINE);

const seconds = Number(values.seconds);
let bytes = 0;
let written = 0;
const started = performance.now();
const cpuAtStart = process.cpuUsage();
while (performance.now() - started < seconds * 1000) {
  for (const chunk of chunks) {
    written += framer.push(chunk)?.length ?? 0;
    bytes += chunk.length;
  }
}
const elapsed = (performance.now() - started) / 1000;
// CPU time (GC threads included) as well as wall time: on a shared machine it moves less.
const cpu = process.cpuUsage(cpuAtStart);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
const lineCount = (bytes / stream.length) * lines.length;
console.log(
  `${(bytes / 1e6 / elapsed).toFixed(0)} MB/s in (${(bytes / 1e6 / cpuSeconds).toFixed(0)} per CPU-second), ${(written / 1e6 / elapsed).toFixed(0)} MB/s out, ` +
    `${((elapsed * 1e9) / lineCount).toFixed(0)} ns per ${LINE}-byte line (${((cpuSeconds * 1e9) / lineCount).toFixed(0)} ns of CPU)`,
);
