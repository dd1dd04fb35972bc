/**
 * Bytes as text and as map keys: hex for descriptions, `key` for maps (cheaper to build), and
 * byte-wise equality.
 */
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
export const hex = (b: Uint8Array): string => {
  // One array and one join: appending to a string makes a rope piece per byte.
  const parts = new Array<string>(b.length);
  for (let i = 0; i < b.length; i++) parts[i] = HEX[b[i]!]!;
  return parts.join('');
};
/**
 * A map key for bytes: the length (two UTF-16 code units), then two bytes per code unit, big-endian.
 * Cheaper to build than hex, and keys of equal length order like their bytes (sorting root keys
 * sorts the roots). `keyHex` turns a key back into hex for descriptions.
 */
export function key(b: Uint8Array): string {
  const length = b.length;
  // 32 bytes (roots, instance ids): one call, no intermediate strings.
  if (length === 32)
    return String.fromCharCode(
      32,
      0,
      (b[0]! << 8) | b[1]!,
      (b[2]! << 8) | b[3]!,
      (b[4]! << 8) | b[5]!,
      (b[6]! << 8) | b[7]!,
      (b[8]! << 8) | b[9]!,
      (b[10]! << 8) | b[11]!,
      (b[12]! << 8) | b[13]!,
      (b[14]! << 8) | b[15]!,
      (b[16]! << 8) | b[17]!,
      (b[18]! << 8) | b[19]!,
      (b[20]! << 8) | b[21]!,
      (b[22]! << 8) | b[23]!,
      (b[24]! << 8) | b[25]!,
      (b[26]! << 8) | b[27]!,
      (b[28]! << 8) | b[29]!,
      (b[30]! << 8) | b[31]!,
    );
  let s = String.fromCharCode(length & 0xffff, length >>> 16);
  for (let i = 0; i + 1 < length; i += 2) s += String.fromCharCode((b[i]! << 8) | b[i + 1]!);
  if (length % 2 === 1) s += String.fromCharCode(b[length - 1]! << 8);
  return s;
}
export function keyHex(k: string): string {
  const length = k.charCodeAt(0) + k.charCodeAt(1) * 0x1_0000;
  const parts = new Array<string>(length);
  for (let i = 0; i < length; i++) {
    const unit = k.charCodeAt(2 + (i >> 1));
    parts[i] = HEX[i % 2 === 0 ? unit >>> 8 : unit & 0xff]!;
  }
  return parts.join('');
}
export function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
