// Fault injection for devnets and tests: a Byzantine round-1 leader. With `equivocateAsLeader`, this
// member, when it leads round 1, sends every other member of the committee (by position) a second
// PROPOSAL for the same instance and round with a different value, signed like the first. Neither
// value gathers t votes in round 1 (the committee is split), the honest members meet both signed
// proposals in their round changes, keep them as evidence, and the contracts can punish this
// operator (slashed, ejected, replaced by a resharing). Never set it on a real network.
//
// The second value is the first with its last byte changed: for the fixed-size SSZ values of the
// duties (attestation data ends with the target root) it still decodes, so the members treat it as
// a real proposal rather than dropping it as malformed.
import { ROTATIONAL_PROTOCOL, RotationalKind } from '@diva-dvt/consensus';

/** version, protocol, kind, instance [32], round u32, sender u16, body length u32. */
const HEADER_BYTES = 45;

/**
 * The conflicting twin of `message` when it is this member's round-1 PROPOSAL (signed with `sign`),
 * else undefined. `message` is a wire message without the frame byte.
 */
export function conflictingProposal(
  message: Uint8Array,
  self: number,
  sign: (payload: Uint8Array) => Uint8Array,
): Uint8Array | undefined {
  if (message.length < HEADER_BYTES + 4) return undefined;
  if (message[1] !== ROTATIONAL_PROTOCOL || message[2] !== RotationalKind.Proposal) return undefined;
  const view = new DataView(message.buffer, message.byteOffset, message.byteLength);
  if (view.getUint32(35) !== 1 || view.getUint16(39) !== self) return undefined;
  const bodyLength = view.getUint32(41);
  const valueLength = view.getUint32(HEADER_BYTES);
  if (valueLength === 0 || HEADER_BYTES + bodyLength > message.length || 4 + valueLength > bodyLength)
    return undefined;
  const payload = message.slice(0, HEADER_BYTES + bodyLength);
  const last = HEADER_BYTES + 4 + valueLength - 1;
  payload[last] = (payload[last] ?? 0) ^ 0xff;
  const signature = sign(payload);
  const out = new Uint8Array(payload.length + 2 + signature.length);
  out.set(payload);
  new DataView(out.buffer).setUint16(payload.length, signature.length);
  out.set(signature, payload.length + 2);
  return out;
}
