// A LineFramer with corral's default text encoding ("label | line"), for tests of framing.
import { createLineEncoder } from '../../src/logging/line-encoder.js';
import { LineFramer } from '../../src/logging/line-framer.js';
import { PLAIN_STYLE } from '../../src/logging/log-style.js';

export function plainFramer(label: string, maxLine: number): LineFramer {
  return new LineFramer(createLineEncoder(PLAIN_STYLE, { service: label, label, stream: 'stdout', pid: 1 }, false), maxLine);
}
