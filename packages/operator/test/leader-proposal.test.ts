// The consensus PROPOSAL in the evidence contract's EIP-712 form (EvidenceSlasher, domain
// "DivaConsensus" v1). Known answers computed by @diva-dvt/contracts (viem's hashTypedData and
// `signLeaderProposal`, whose signatures the contract's tests prove on Anvil): the runtime's digest
// and signature bytes must be exactly those. The authenticator signs PROPOSALs so, others as before.
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { describe, expect, it } from 'vitest';
import { isOperatorError, proposalDigest, proposalDomainSeparator } from '../src/index.ts';
import { createOperatorAuthenticator } from '../src/runtime/auth.ts';
import {
  leaderProposalOf,
  readProposalPayload,
  recoversTo,
  signDigest,
} from '../src/runtime/leader-proposal.ts';
import { proposalPayload, withSignature } from './helpers/proposals.ts';

const unhex = (h: string) => Uint8Array.from(Buffer.from(h.replace(/^0x/, ''), 'hex'));
const hex = (b: Uint8Array) => `0x${Buffer.from(b).toString('hex')}`;

// contracts: hashTypedData / signLeaderProposal(privateKeyToAccount(0x4a…4a), { evidenceSlasher, chainId, proposal })
const KEY = unhex('4a'.repeat(32));
const KEY_ADDRESS = '0xacd4fb2e5246cfe90f41e9be507b559d0991867c';
const CONTRACT = '0x5fbdb2315678afecb367f032d93f642f64180aa3';
const INSTANCE = unhex('11'.repeat(32));
const ROOT = unhex('22'.repeat(32));
const DIGEST = '0x601697cea98cf8728292390fd91ca67fa1f79c85d947f820ce2eeb43fc7d4b49';
const SIGNATURE =
  '0x03ae7f74d53601a7f948ea8c4c5f07f414060182562d2dcbfb96f7fcd5c296e637369564f604e7abc873685841c9ff7d21846ed5324bb3cefb29f67f821638ed1b';
// chain id 1, round 2^32 - 1 (the largest the wire carries)
const DIGEST_MAX_ROUND = '0x8ab2005d49f4ca78d6e08c98f7a4df49dd52e9ea72a6fb45716b4ffa89f756e4';
const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

describe('the EIP-712 Proposal the evidence contract verifies', () => {
  const separator = proposalDomainSeparator({ chainId: 31337, evidenceContract: CONTRACT });

  it('computes the digest and the r ‖ s ‖ v signature of @diva-dvt/contracts byte for byte', () => {
    const digest = proposalDigest(separator, INSTANCE, 3, ROOT);
    expect(hex(digest)).toBe(DIGEST);
    expect(hex(signDigest(digest, KEY))).toBe(SIGNATURE);
    const other = proposalDomainSeparator({ chainId: 1n, evidenceContract: CONTRACT });
    expect(hex(proposalDigest(other, INSTANCE, 2 ** 32 - 1, ROOT))).toBe(DIGEST_MAX_ROUND);
    // the signer the contract's ecrecover finds is the operator's address
    const publicKey = secp256k1.getPublicKey(KEY, false);
    expect(hex(keccak_256(publicKey.subarray(1)).subarray(12))).toBe(KEY_ADDRESS);
  });

  it('recovers only what the contract’s ecrecover accepts: low s, v 27 or 28, the right key', () => {
    const digest = unhex(DIGEST);
    const key = secp256k1.getPublicKey(KEY, true);
    const signature = unhex(SIGNATURE);
    expect(recoversTo(digest, signature, key)).toBe(true);
    // the same signature with s' = n - s and the other v: valid ECDSA, refused by OpenZeppelin's ECDSA
    const s = BigInt(hex(signature.subarray(32, 64)));
    const high = signature.slice();
    high.set(unhex((N - s).toString(16).padStart(64, '0')), 32);
    high[64] = signature[64] === 27 ? 28 : 27;
    expect(recoversTo(digest, high, key)).toBe(false);
    for (const v of [0, 1, 29]) {
      const bad = signature.slice();
      bad[64] = v;
      expect(recoversTo(digest, bad, key)).toBe(false);
    }
    expect(recoversTo(digest, signature.subarray(0, 64), key)).toBe(false);
    expect(recoversTo(digest, signature, secp256k1.getPublicKey(unhex('4b'.repeat(32)), true))).toBe(false);
    expect(recoversTo(proposalDigest(separator, INSTANCE, 4, ROOT), signature, key)).toBe(false);
  });

  it('refuses a domain without a 20-byte contract address or a positive chain id', () => {
    for (const domain of [
      { chainId: 1, evidenceContract: '0x1234' as const },
      { chainId: 0, evidenceContract: CONTRACT as `0x${string}` },
    ]) {
      let error: unknown;
      try {
        proposalDomainSeparator(domain);
      } catch (e) {
        error = e;
      }
      expect(isOperatorError(error, 'INVALID_OPTION')).toBe(true);
    }
  });

  it('reads a wire PROPOSAL as the contract’s (instance, round, valueRoot) and signature', () => {
    const value = new Uint8Array(40).fill(5);
    const rootOf = (v: Uint8Array) => keccak_256(v);
    const payload = proposalPayload(INSTANCE, 7, 2, value);
    expect(readProposalPayload(payload)).toMatchObject({ instance: INSTANCE, round: 7, value });
    const signature = signDigest(proposalDigest(separator, INSTANCE, 7, rootOf(value)), KEY);
    expect(leaderProposalOf(withSignature(payload, signature), rootOf)).toEqual({
      instance: hex(INSTANCE),
      round: 7n,
      valueRoot: hex(rootOf(value)),
      signature: hex(signature),
    });
    // not a proposal (a vote), a 64-byte signature, a value that does not decode, a cut body
    const vote = payload.slice();
    vote[2] = 2;
    expect(leaderProposalOf(withSignature(vote, signature), rootOf)).toBeUndefined();
    expect(leaderProposalOf(withSignature(payload, signature.subarray(0, 64)), rootOf)).toBeUndefined();
    const throwing = () => {
      throw new RangeError('bad value');
    };
    expect(leaderProposalOf(withSignature(payload, signature), throwing)).toBeUndefined();
    expect(readProposalPayload(payload.subarray(0, payload.length - 1))).toBeUndefined();
  });
});

describe('the operator authenticator with a proposal domain', () => {
  const separator = proposalDomainSeparator({ chainId: 31337, evidenceContract: CONTRACT });
  const rootOf = (v: Uint8Array) => keccak_256(v);
  const keys = [KEY, unhex('4b'.repeat(32))];
  const publicKeys = keys.map((k) => secp256k1.getPublicKey(k, true));
  const direct = { bytes: undefined as Uint8Array | undefined, member: 0 };
  const auth = createOperatorAuthenticator({
    secretKey: KEY,
    publicKeys,
    direct,
    proposals: { domainSeparator: separator, rootOf },
  });
  const value = new Uint8Array(32).fill(9);

  it('signs a PROPOSAL as the EIP-712 digest and any other message as before', () => {
    const payload = proposalPayload(INSTANCE, 1, 1, value);
    const signature = auth.sign(payload);
    expect(signature).toHaveLength(65);
    expect(recoversTo(proposalDigest(separator, INSTANCE, 1, rootOf(value)), signature, publicKeys[0]!)).toBe(
      true,
    );
    expect(auth.verify(1, payload, signature)).toBe(true);
    expect(auth.verify(2, payload, signature)).toBe(false);
    const vote = payload.slice();
    vote[2] = 2;
    const voteSignature = auth.sign(vote);
    expect(voteSignature).toHaveLength(64);
    expect(secp256k1.verify(voteSignature, vote, publicKeys[0]!)).toBe(true);
    expect(auth.verify(1, vote, voteSignature)).toBe(true);
    // without a domain, a proposal is signed like the rest
    const plain = createOperatorAuthenticator({ secretKey: KEY, publicKeys, direct });
    expect(plain.sign(payload)).toHaveLength(64);
  });

  it('checks a PROPOSAL even on its sender’s own connection, other kinds only when relayed', () => {
    const payload = proposalPayload(INSTANCE, 1, 1, value);
    const forged = withSignature(payload, new Uint8Array(65).fill(1));
    direct.bytes = forged;
    direct.member = 1;
    expect(auth.verifyIn!(1, forged, payload.length, payload.length + 2)).toBe(false);
    const vote = payload.slice();
    vote[2] = 2;
    const unsignedVote = withSignature(vote, new Uint8Array(64));
    direct.bytes = unsignedVote;
    expect(auth.verifyIn!(1, unsignedVote, vote.length, vote.length + 2)).toBe(true);
    direct.bytes = undefined;
    expect(auth.verifyIn!(1, unsignedVote, vote.length, vote.length + 2)).toBe(false);
    const signed = withSignature(payload, auth.sign(payload));
    expect(auth.verifyIn!(1, signed, payload.length, payload.length + 2)).toBe(true);
  });
});
