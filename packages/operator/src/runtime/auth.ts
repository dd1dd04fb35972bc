// Consensus message authentication with the operators' secp256k1 identity keys (the keys the
// contracts know and the p2p peer ids derive from). Every message this node sends is signed, so a
// message relayed inside another (a round change carries the proposal it saw) and evidence verify
// anywhere. A message that arrives directly needs no signature check: the p2p connection already
// authenticated its sender (Noise, with the same key), so `verifyIn` accepts the message being
// delivered when its claimed sender is the member the connection belongs to, and checks the
// signature of every other (relayed) one. That saves ~1.3 ms per message received.
//
// PROPOSALs are the exception when a `proposals` domain is given: they are signed as the EIP-712
// `Proposal(instance, round, valueRoot)` the evidence contract verifies (./leader-proposal.ts), and
// checked always, direct or relayed, so that every proposal a member accepts is evidence the chain
// would accept: a leader signing over another chain or contract is refused like a forgery.
import { type MessageAuthenticator, ROTATIONAL_PROTOCOL, RotationalKind } from '@diva-dvt/consensus';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { proposalDigest, readProposalPayload, recoversTo, signDigest } from './leader-proposal.ts';
import { messageSigner } from './message-signer.ts';

/** The message being handled and the member its connection authenticated. */
export interface DirectDelivery {
  bytes: Uint8Array | undefined;
  member: number;
}

/** How PROPOSALs are signed: the EIP-712 domain and the instance's value root. */
export interface ProposalSigning {
  /** `proposalDomainSeparator(domain)`: computed once per node, not per message. */
  readonly domainSeparator: Uint8Array;
  /** The signing root of a value's wire bytes (`ValueType.signingRoot(decode(bytes))`); may throw. */
  readonly rootOf: (value: Uint8Array) => Uint8Array;
}

export interface OperatorAuthenticatorParameters {
  /** This operator's 32-byte secp256k1 secret key. */
  readonly secretKey: Uint8Array;
  /** Compressed secp256k1 public keys by member (1-based): `publicKeys[i]` is member i + 1's. */
  readonly publicKeys: readonly Uint8Array[];
  /** Shared with the receive path, which sets it around `instance.handle(bytes)`. */
  readonly direct: DirectDelivery;
  /** EIP-712 proposals (evidence the contracts accept); without it proposals sign like the rest. */
  readonly proposals?: ProposalSigning;
}

export function createOperatorAuthenticator(
  parameters: OperatorAuthenticatorParameters,
): MessageAuthenticator {
  const { secretKey, publicKeys, direct, proposals } = parameters;
  const signMessage = messageSigner(secretKey);
  /** The EIP-712 digest of a PROPOSAL's signed bytes; undefined for other kinds (or no domain). */
  const digestOf = (payload: Uint8Array): Uint8Array | 'malformed' | undefined => {
    if (proposals === undefined) return undefined;
    const parts = readProposalPayload(payload);
    if (parts === undefined) return undefined;
    try {
      return proposalDigest(
        proposals.domainSeparator,
        parts.instance,
        parts.round,
        proposals.rootOf(parts.value),
      );
    } catch {
      return 'malformed';
    }
  };
  const verify = (member: number, payload: Uint8Array, signature: Uint8Array): boolean => {
    const key = publicKeys[member - 1];
    if (key === undefined) return false;
    const digest = digestOf(payload);
    if (digest === 'malformed') return false;
    if (digest !== undefined) return recoversTo(digest, signature, key);
    if (signature.length !== 64) return false;
    try {
      return secp256k1.verify(signature, payload, key);
    } catch {
      return false;
    }
  };
  return {
    sign(payload) {
      // This member's own proposals always carry a value its value type encoded, so 'malformed'
      // does not happen here; were it to, peers would drop the proposal as unsigned.
      const digest = digestOf(payload);
      if (digest === undefined || digest === 'malformed') return signMessage(payload);
      return signDigest(digest, secretKey);
    },
    verify,
    verifyIn(member, bytes, payloadEnd, signatureStart) {
      // A proposal is checked even when direct (see the file comment); other kinds only if relayed.
      const isProposal =
        proposals !== undefined && bytes[1] === ROTATIONAL_PROTOCOL && bytes[2] === RotationalKind.Proposal;
      if (!isProposal && bytes === direct.bytes && member === direct.member) return true;
      return verify(member, bytes.subarray(0, payloadEnd), bytes.subarray(signatureStart));
    },
  };
}
