// Sizes as users write them: 16384, "16KiB", "16k", "1MiB", "512B", "1GiB". k and K are 1024, as
// every log tool means them.
const UNITS: Record<string, number> = {
  ...{ '': 1, b: 1 },
  ...{ k: 1024, kb: 1024, kib: 1024 },
  ...{ m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2 },
  ...{ g: 1024 ** 3, gb: 1024 ** 3, gib: 1024 ** 3 },
};
// Also the schema's pattern, so the JSON Schema and corral accept the same text. Written
// without the i flag, which JSON Schema patterns do not have.
export const SIZE_PATTERN = /^\s*(\d+)\s*([kKmMgG](?:[iI]?[bB])?|[bB])?\s*$/;

// Bytes, or undefined when `text` is not a size.
export function parseByteSize(text: string): number | undefined {
  const match = SIZE_PATTERN.exec(text);
  const factor = match ? UNITS[(match[2] ?? '').toLowerCase()] : undefined;
  return factor === undefined ? undefined : Number(match![1]) * factor;
}

// 16384 -> "16KiB", 1000 -> "1000B"
export function formatByteSize(bytes: number): string {
  if (bytes >= 1024 ** 3 && bytes % 1024 ** 3 === 0) return `${bytes / 1024 ** 3}GiB`;
  if (bytes >= 1024 ** 2 && bytes % 1024 ** 2 === 0) return `${bytes / 1024 ** 2}MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024}KiB`;
  return `${bytes}B`;
}

// A count of bytes for people: 1234 -> "1.2 KiB", 512 -> "512 bytes"
export function formatByteCount(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  const [size, unit] = bytes < 1024 ** 2 ? [bytes / 1024, 'KiB'] : bytes < 1024 ** 3 ? [bytes / 1024 ** 2, 'MiB'] : [bytes / 1024 ** 3, 'GiB'];
  return `${size.toFixed(1)} ${unit}`;
}
