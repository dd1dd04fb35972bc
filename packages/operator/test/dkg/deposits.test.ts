// The deposit signatures of a ceremony: t partials combine into exactly the signature the validator
// key itself makes (so every operator writes the same deposit data), and a member that sends a bad
// partial, or one for another transcript, is named while the others still combine.
import { createBls, SecretKey } from '@diva-dvt/bls-threshold';
import { importWithTrustedDealer } from '@diva-dvt/dkg';
import { describe, expect, it } from 'vitest';
import {
  combineDeposits,
  type DepositPartials,
  depositSigningRoots,
  signDepositPartials,
} from '../../src/dkg/deposits.ts';
import { type CeremonyFile, operatorAddressOf, parseCeremonyFile, publicKeyOf } from '../../src/index.ts';
import { operatorKey } from '../helpers/p2p.ts';

const hex = (b: Uint8Array) => `0x${Buffer.from(b).toString('hex')}`;
const bls = createBls();
const keys = [SecretKey.fromScalar(1234567n), SecretKey.fromScalar(7654321n)];
const results = importWithTrustedDealer({
  ceremonyId: new Uint8Array(32),
  secretKeys: keys,
  threshold: 3,
  shareCount: 5,
});
const ceremony: CeremonyFile = parseCeremonyFile(
  JSON.stringify({
    version: 1,
    operators: [0, 1, 2, 3, 4].map((i) => {
      const key = publicKeyOf(operatorKey(`deposit ${i}`));
      return { address: operatorAddressOf(key), p2pPublicKey: hex(key), multiaddrs: [] };
    }),
    threshold: 3,
    validators: 2,
    withdrawalCredentials: `0x00${'11'.repeat(31)}`,
    forkVersion: '0x00000000',
  }),
);
const operators = ceremony.operators.map((o) => o.address);
const roots = depositSigningRoots(ceremony, results[0]!);

const partialsOf = (
  i: number,
  tweak?: (d: DepositPartials) => DepositPartials,
): [string, DepositPartials] => {
  const r = results[i]!;
  const d = {
    transcriptHash: r.transcriptHash,
    shareIndex: i + 1,
    signatures: signDepositPartials(bls, r, roots),
  };
  return [operators[i]!, tweak ? tweak(d) : d];
};

describe('deposit signatures', () => {
  it('t partials give the signature of the validator key itself', () => {
    const faulty = new Set<string>();
    const received = new Map([partialsOf(0), partialsOf(2), partialsOf(3)]);
    const { signatures } = combineDeposits({ bls, result: results[0]!, roots, operators, received, faulty });
    expect(signatures?.map(hex)).toEqual(keys.map((k, i) => hex(bls.sign(k, roots[i]!).bytes)));
    expect(faulty.size).toBe(0);
  });

  it('names a member with a bad partial or another transcript; combines once t good ones are in', () => {
    const faulty = new Set<string>();
    const wrongRoot = (d: DepositPartials) => ({ ...d, signatures: [d.signatures[1]!, d.signatures[0]!] });
    const otherTranscript = (d: DepositPartials) => ({ ...d, transcriptHash: new Uint8Array(32) });
    const received = new Map([partialsOf(0), partialsOf(1, wrongRoot), partialsOf(2, otherTranscript)]);
    const first = combineDeposits({ bls, result: results[0]!, roots, operators, received, faulty });
    expect(first.signatures).toBeUndefined();
    // Another transcript is seen at once; a bad signature when t candidates are checked together.
    expect([...faulty]).toEqual([operators[2]]);
    received.set(...partialsOf(3));
    const second = combineDeposits({ bls, result: results[0]!, roots, operators, received, faulty });
    expect(second).toEqual({ signatures: undefined, usable: 2 });
    expect([...faulty].sort()).toEqual([operators[1], operators[2]].sort());
    received.set(...partialsOf(4));
    const third = combineDeposits({ bls, result: results[0]!, roots, operators, received, faulty });
    expect(third.signatures?.map(hex)).toEqual(keys.map((k, i) => hex(bls.sign(k, roots[i]!).bytes)));
    expect(third.usable).toBe(3);
  });
});
