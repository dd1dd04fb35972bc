// Known-answer vectors through @diva-dvt/test-vectors (../shared/vectors beside the checkout, or
// DIVA_VECTORS_DIR; a missing folder fails the test with the path it looked at), and hex helpers.
export { readVectorFiles, readVectorJson } from '@diva-dvt/test-vectors';

export function hex(value: string): Uint8Array {
  const h = value.startsWith('0x') ? value.slice(2) : value;
  return Uint8Array.from(Buffer.from(h, 'hex'));
}

export function toHex(bytes: Uint8Array): string {
  return `0x${Buffer.from(bytes).toString('hex')}`;
}
