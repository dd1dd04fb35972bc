// Rotational PROPOSALs as the wire carries them (@diva-dvt/consensus codec: version, protocol,
// kind, instance, round, sender, body length, body = length-prefixed value, signature length,
// signature), written by hand so a test can sign what a Byzantine leader would.

/** A rotational PROPOSAL's signed bytes: header and body. */
export function proposalPayload(
  instance: Uint8Array,
  round: number,
  sender: number,
  value: Uint8Array,
): Uint8Array {
  const out = new Uint8Array(45 + 4 + value.length);
  const view = new DataView(out.buffer);
  out.set([1, 1, 1]); // wire version, rotational, PROPOSAL
  out.set(instance, 3);
  view.setUint32(35, round);
  view.setUint16(39, sender);
  view.setUint32(41, 4 + value.length);
  view.setUint32(45, value.length);
  out.set(value, 49);
  return out;
}

/** `payload` followed by its length-prefixed signature. */
export function withSignature(payload: Uint8Array, signature: Uint8Array): Uint8Array {
  const out = new Uint8Array(payload.length + 2 + signature.length);
  out.set(payload);
  new DataView(out.buffer).setUint16(payload.length, signature.length);
  out.set(signature, payload.length + 2);
  return out;
}

/** A PROPOSAL of `round` carrying `value` from member `sender`, signed by `sign`. */
export function proposalMessage(
  instance: Uint8Array,
  round: number,
  sender: number,
  value: Uint8Array,
  sign: (payload: Uint8Array) => Uint8Array,
): Uint8Array {
  const payload = proposalPayload(instance, round, sender, value);
  return withSignature(payload, sign(payload));
}
