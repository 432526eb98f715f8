import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { formatByteCount, formatByteSize, parseByteSize } from '../../src/config/byte-size.js';

describe('parseByteSize', () => {
  const valid: [string, number][] = [
    ['512', 512],
    ['512B', 512],
    ['16k', 16_384],
    ['16K', 16_384],
    ['16KiB', 16_384],
    ['16kb', 16_384],
    ['1MiB', 1_048_576],
    ['2m', 2_097_152],
    [' 64 KiB ', 65_536],
    ['1GiB', 1_073_741_824],
  ];
  for (const [text, bytes] of valid) {
    test(`${JSON.stringify(text)} is ${bytes} bytes`, () => assert.equal(parseByteSize(text), bytes));
  }
  for (const text of ['', 'KiB', '1.5KiB', '-1', '16 kilobytes', '1TiB', '16KiBs']) {
    test(`${JSON.stringify(text)} is not a size`, () => assert.equal(parseByteSize(text), undefined));
  }
});

describe('formatByteCount', () => {
  for (const [bytes, text] of [
    [512, '512 bytes'],
    [1536, '1.5 KiB'],
    [21_474_836, '20.5 MiB'],
    [3 * 1024 ** 3, '3.0 GiB'],
  ] as const) {
    test(`${bytes} is ${text}`, () => assert.equal(formatByteCount(bytes), text));
  }
});

describe('formatByteSize', () => {
  for (const [bytes, text] of [
    [16_384, '16KiB'],
    [1_048_576, '1MiB'],
    [1024 ** 3, '1GiB'],
    [1536 * 1024 ** 2, '1536MiB'],
    [1000, '1000B'],
    [1536, '1536B'],
  ] as const) {
    test(`${bytes} is ${text}, and reads back`, () => {
      assert.equal(formatByteSize(bytes), text);
      assert.equal(parseByteSize(text), bytes);
    });
  }
});
