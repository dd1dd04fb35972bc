// Known-answer ceremonies from fixed seeds. Every operator's randomness is
// createSeededRandom(`${seed}/operator/${i}`) (SHA-256 in counter mode, see bls-threshold), consumed in
// the order the member code draws it; the network delivers in FIFO order (helpers/network.ts).
import { bytesToHex } from '@noble/hashes/utils.js';
import type { KeyAgreement } from '../../src/index.ts';
import { decodeEnvelope, MessageKind } from '../../src/wire.ts';
import { ceremonyId, createOperators, freshConfig, runCeremony } from './network.ts';

export interface KnownAnswer {
  readonly description: string;
  readonly seed: string;
  readonly ceremonyLabel: string;
  readonly threshold: number;
  readonly validatorCount: number;
  readonly ceremonyId: string;
  readonly participants: { address: string; encryptionKey: string }[];
  /** The dealing envelopes as sent, dealer order (SSZ, hex). */
  readonly dealings: string[];
  readonly transcriptHash: string;
  readonly qualified: number[];
  readonly validators: { groupPublicKey: string; publicShares: string[] }[];
}

const hex = (b: Uint8Array) => `0x${bytesToHex(b)}`;

export function deriveKnownAnswer(
  seed: string,
  n: number,
  t: number,
  k: number,
  keyAgreement?: KeyAgreement,
): KnownAnswer {
  const ops = createOperators(n, seed);
  const label = `${seed}/ceremony`;
  const config = freshConfig(ops, t, k, label);
  const dealings = new Map<number, string>();
  const run = runCeremony(config, ops, {
    ...(keyAgreement ? { keyAgreement } : {}),
    intercept: (from, _to, bytes) => {
      if (decodeEnvelope(bytes).kind === MessageKind.Dealing) dealings.set(from, hex(bytes));
      return [bytes];
    },
  });
  const r = run.members[0]!.result()!;
  return {
    description: `fresh DKG, ${n} members, t = ${t}, k = ${k}, honest, FIFO delivery`,
    seed,
    ceremonyLabel: label,
    threshold: t,
    validatorCount: k,
    ceremonyId: hex(ceremonyId(label)),
    participants: ops.map((o) => ({
      address: hex(o.participant.address),
      encryptionKey: hex(o.participant.encryptionKey),
    })),
    dealings: ops.map((_, i) => dealings.get(i)!),
    transcriptHash: hex(r.transcriptHash),
    qualified: [...r.qualified],
    validators: r.validators.map((v) => ({
      groupPublicKey: v.groupPublicKey.toHex(),
      publicShares: v.publicShares.map((p) => p.toHex()),
    })),
  };
}

export const KNOWN_ANSWER_CASES = [
  { file: 'fresh-4-members-t3-k2.json', seed: 'diva-dkg-kat-1', n: 4, t: 3, k: 2 },
  { file: 'fresh-7-members-t5-k1.json', seed: 'diva-dkg-kat-2', n: 7, t: 5, k: 1 },
] as const;
