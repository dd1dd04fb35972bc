// 0x-prefixed hex of bytes, for comparing against the beacon node's JSON.
export function bytesToHex(bytes: Uint8Array): `0x${string}` {
  return `0x${Buffer.from(bytes).toString('hex')}`;
}
