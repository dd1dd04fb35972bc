// Rotational PROPOSALs as the wire carries them (@diva-dvt/consensus codec: version, protocol,
// kind, instance, round, sender, body length, body = length-prefixed value, signature length,
// signature), written by hand so a test can sign what a Byzantine leader would; VOTEs and
// ROUND-CHANGEs likewise, for what a member that signs two roots would send.

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

/** A rotational message of `kind` with `body`, signed by `sign` (the header as for a PROPOSAL). */
function signedMessage(
  kind: number,
  instance: Uint8Array,
  round: number,
  sender: number,
  body: Uint8Array,
  sign: (payload: Uint8Array) => Uint8Array,
): Uint8Array {
  const payload = new Uint8Array(45 + body.length);
  const view = new DataView(payload.buffer);
  payload.set([1, 1, kind]); // wire version, rotational, kind
  payload.set(instance, 3);
  view.setUint32(35, round);
  view.setUint16(39, sender);
  view.setUint32(41, body.length);
  payload.set(body, 45);
  return withSignature(payload, sign(payload));
}

const prefixed = (bytes: Uint8Array) => {
  const out = new Uint8Array(4 + bytes.length);
  new DataView(out.buffer).setUint32(0, bytes.length);
  out.set(bytes, 4);
  return out;
};

/** A VOTE of `round`: the root and the member's partial signature over it. */
export function voteMessage(
  instance: Uint8Array,
  round: number,
  sender: number,
  root: Uint8Array,
  partial: Uint8Array,
  sign: (payload: Uint8Array) => Uint8Array,
): Uint8Array {
  return signedMessage(2, instance, round, sender, Buffer.concat([root, prefixed(partial)]), sign);
}

/** A ROUND-CHANGE to `round` carrying the member's earlier vote: value, partial, the proposal. */
export function roundChangeMessage(
  instance: Uint8Array,
  round: number,
  sender: number,
  vote: { readonly value: Uint8Array; readonly partial: Uint8Array; readonly proposal: Uint8Array },
  sign: (payload: Uint8Array) => Uint8Array,
): Uint8Array {
  const body = Buffer.concat([
    Uint8Array.of(1),
    prefixed(vote.value),
    prefixed(vote.partial),
    prefixed(vote.proposal),
  ]);
  return signedMessage(3, instance, round, sender, body, sign);
}
