/**
 * Checking evidence: two messages signed by one member that an honest member never signs together.
 * - equivocating leader: two PROPOSALs (pre-prepares) for the same instance and round, different values;
 * - double-signed partial: two partial signatures by one member over different roots of one instance.
 * Self-verifying given the members' authentication keys (on chain: their operator addresses).
 */
import { BodyReader, decodeWire } from './codec.ts';
import { QBFT_PROTOCOL, QbftKind } from './qbft.ts';
import { ROTATIONAL_PROTOCOL, RotationalKind } from './rotational.ts';
import type { Evidence, MessageAuthenticator } from './types.ts';

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

function signedRoot(
  m: ReturnType<typeof decodeWire>,
  rootOf: (value: Uint8Array) => Uint8Array,
): string | undefined {
  const r = new BodyReader(m.body);
  if (m.protocol === ROTATIONAL_PROTOCOL && m.kind === RotationalKind.Vote) return hex(r.fixed(32));
  if (m.protocol === ROTATIONAL_PROTOCOL && m.kind === RotationalKind.RoundChange && r.u8() === 1)
    return hex(rootOf(r.bytesField()));
  if (m.protocol === QBFT_PROTOCOL && m.kind === QbftKind.Partial) return hex(rootOf(r.bytesField()));
  return undefined;
}

/** True iff the evidence is well formed and both messages are validly signed by `evidence.member`. */
export function verifyEvidence(
  evidence: Evidence,
  auth: Pick<MessageAuthenticator, 'verify'>,
  signingRoot: (valueBytes: Uint8Array) => Uint8Array,
): boolean {
  try {
    const [a, b] = evidence.messages.map((x) => decodeWire(x));
    if (!a || !b || a.sender !== evidence.member || b.sender !== evidence.member) return false;
    if (a.protocol !== b.protocol || hex(a.instance) !== hex(b.instance)) return false;
    if (!auth.verify(a.sender, a.signed, a.signature) || !auth.verify(b.sender, b.signed, b.signature))
      return false;
    if (evidence.kind === 'equivocating-leader') {
      const proposal = a.protocol === QBFT_PROTOCOL ? QbftKind.PrePrepare : RotationalKind.Proposal;
      if (a.kind !== proposal || b.kind !== proposal || a.round !== b.round) return false;
      return hex(new BodyReader(a.body).bytesField()) !== hex(new BodyReader(b.body).bytesField());
    }
    const ra = signedRoot(a, signingRoot);
    const rb = signedRoot(b, signingRoot);
    return ra !== undefined && rb !== undefined && ra !== rb;
  } catch {
    return false;
  }
}
