// Text as corral takes it in and shows it back. A configuration file must be UTF-8: other
// bytes would silently become U+FFFD, and a file that says something else than what it
// holds would pass `corral check`. And what corral echoes of a file (a key, a value, a
// line) is escaped, so a file cannot send escape sequences to the terminal or the log
// reader of whoever runs `corral check`.
import { isUtf8 } from 'node:buffer';

export interface InvalidUtf8 {
  /** 1-based line and column (in characters) of the first byte that is not UTF-8. */
  line: number;
  col: number;
  byte: number;
  /** The line it is on, with that byte and any after it as U+FFFD. */
  source: string;
}

export type DecodeResult = { text: string } | { invalid: InvalidUtf8 };

// The file's text, or where its first byte that is not UTF-8 is.
export function decodeUtf8(bytes: Buffer): DecodeResult {
  if (isUtf8(bytes)) return { text: bytes.toString('utf8') };
  const offset = firstInvalidByte(bytes);
  const lineStart = bytes.lastIndexOf(0x0a, offset - 1) + 1;
  const lineEnd = bytes.indexOf(0x0a, offset);
  let line = 1;
  for (let at = bytes.indexOf(0x0a); at !== -1 && at < offset; at = bytes.indexOf(0x0a, at + 1)) line++;
  const before = bytes.subarray(lineStart, offset).toString('utf8');
  const after = bytes.subarray(offset, lineEnd === -1 ? bytes.length : lineEnd).toString('utf8');
  return { invalid: { line, col: before.length + 1, byte: bytes[offset]!, source: (before + after).replace(/\r$/, '') } };
}

// The second byte of each lead byte may have a narrower range than 0x80-0xBF: that is
// what rules out overlong forms, surrogates and code points past U+10FFFF (RFC 3629).
function sequenceOf(lead: number): { length: number; min: number; max: number } | undefined {
  if (lead >= 0xc2 && lead <= 0xdf) return { length: 2, min: 0x80, max: 0xbf };
  if (lead === 0xe0) return { length: 3, min: 0xa0, max: 0xbf };
  if (lead === 0xed) return { length: 3, min: 0x80, max: 0x9f };
  if (lead >= 0xe1 && lead <= 0xef) return { length: 3, min: 0x80, max: 0xbf };
  if (lead === 0xf0) return { length: 4, min: 0x90, max: 0xbf };
  if (lead >= 0xf1 && lead <= 0xf3) return { length: 4, min: 0x80, max: 0xbf };
  if (lead === 0xf4) return { length: 4, min: 0x80, max: 0x8f };
  return undefined;
}

// The offset of the first byte that does not start or continue a valid UTF-8 sequence;
// only called once isUtf8 said there is one.
function firstInvalidByte(bytes: Buffer): number {
  let at = 0;
  while (at < bytes.length) {
    const lead = bytes[at]!;
    if (lead < 0x80) {
      at++;
      continue;
    }
    const sequence = sequenceOf(lead);
    if (sequence === undefined) return at;
    for (let k = 1; k < sequence.length; k++) {
      const next = bytes[at + k];
      const [min, max] = k === 1 ? [sequence.min, sequence.max] : [0x80, 0xbf];
      if (next === undefined || next < min || next > max) return at;
    }
    at += sequence.length;
  }
  return bytes.length;
}

// C0 controls but the tab, DEL, C1 controls (some terminals act on U+009B as on ESC [),
// the line and paragraph separators, and the bidirectional overrides that make text read
// other than it is.
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

// `text` with each control character written as an escape: "\x1b", "\u202e".
export function escapeControls(text: string): string {
  return text.replace(CONTROL, (char) => {
    const code = char.charCodeAt(0);
    if (char === '\n') return '\\n';
    if (char === '\r') return '\\r';
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
