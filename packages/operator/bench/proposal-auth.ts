// The CPU cost of authenticating one consensus PROPOSAL (an attestation-data value, real SSZ),
// before and after proposals became the evidence contract's EIP-712 `Proposal`: signing
// (before: secp256k1 over the wire bytes; after: decode the value, its signing root, the EIP-712
// digest, a recoverable signature) and checking (before: secp256k1 verify, and no check at all for
// a proposal arriving on its sender's connection; after: the same digest and a public-key recovery,
// always). A VOTE's signature, unchanged, is the baseline in the same run.
//
// `node --conditions=diva:source bench/proposal-auth.ts [--quick]` prints the bench JSON on stdout.
import { cpus } from 'node:os';
import { createSigningContext, forkScheduleFromSpec } from '@diva-dvt/beacon-api/spec';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { attestationDataValue, proposalDomainSeparator } from '../src/index.ts';
import { createOperatorAuthenticator } from '../src/runtime/auth.ts';
import { MINIMAL_SPEC } from '../test/helpers/beacon-node.ts';

const quick = process.argv.includes('--quick');
const n = quick ? 50 : 400;

const signing = createSigningContext({
  genesisValidatorsRoot: new Uint8Array(32).fill(0x5a),
  schedule: forkScheduleFromSpec(MINIMAL_SPEC),
});
const valueType = attestationDataValue(signing, { slot: 9, committeeIndex: 0, slotsPerEpoch: 8 });
const value = valueType.encode({
  slot: 9,
  index: 0,
  beaconBlockRoot: new Uint8Array(32).fill(3),
  source: { epoch: 0, root: new Uint8Array(32).fill(1) },
  target: { epoch: 1, root: new Uint8Array(32).fill(2) },
});

/** A rotational message's signed bytes (header and body) of `kind` with `body`. */
function payload(kind: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(45 + body.length);
  const view = new DataView(out.buffer);
  out.set([1, 1, kind]);
  out.fill(0x77, 3, 35);
  view.setUint32(35, 1);
  view.setUint16(39, 1);
  view.setUint32(41, body.length);
  out.set(body, 45);
  return out;
}
const proposalBody = new Uint8Array(4 + value.length);
new DataView(proposalBody.buffer).setUint32(0, value.length);
proposalBody.set(value, 4);
const proposal = payload(1, proposalBody);
const vote = payload(2, new Uint8Array(32 + 4 + 96).fill(9));

const secretKey = new Uint8Array(32).fill(0x4a);
const publicKeys = [secp256k1.getPublicKey(secretKey, true)];
const direct = { bytes: undefined, member: 0 };
const before = createOperatorAuthenticator({ secretKey, publicKeys, direct });
const after = createOperatorAuthenticator({
  secretKey,
  publicKeys,
  direct,
  proposals: {
    domainSeparator: proposalDomainSeparator({
      chainId: 31337,
      evidenceContract: '0x5fbdb2315678afecb367f032d93f642f64180aa3',
    }),
    rootOf: (bytes) => valueType.signingRoot(valueType.decode(bytes)),
  },
});

/**
 * Times each case `n` times, round-robin (one sample of each in turn), so that a host whose load
 * changes during the run (shared CI machines) weighs on every case alike.
 */
function timeAll(cases: readonly (readonly [string, () => unknown])[]) {
  for (const [, fn] of cases) for (let i = 0; i < Math.min(20, n); i++) fn();
  const samples = cases.map(() => [] as number[]);
  for (let i = 0; i < n; i++) {
    cases.forEach(([name, fn], c) => {
      const start = performance.now();
      if (!fn()) throw new Error(`${name}: check failed`);
      samples[c]!.push(performance.now() - start);
    });
  }
  return cases.map(([name], c) => {
    const sorted = samples[c]!.sort((x, y) => x - y);
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
    process.stderr.write(`${name}: median ${at(0.5).toFixed(3)} ms\n`);
    return { name, unit: 'ms', median: at(0.5), p99: at(0.99), n };
  });
}

const beforeSig = before.sign(proposal);
const afterSig = after.sign(proposal);
const voteSig = before.sign(vote);
const results = timeAll([
  ['sign proposal, before (secp256k1 of the bytes)', () => before.sign(proposal)],
  ['sign proposal, after (EIP-712 digest, recoverable)', () => after.sign(proposal)],
  ['check relayed proposal, before (verify)', () => before.verify(1, proposal, beforeSig)],
  ['check proposal, after (digest + recover)', () => after.verify(1, proposal, afterSig)],
  ['sign vote (unchanged)', () => after.sign(vote)],
  ['check relayed vote (unchanged)', () => after.verify(1, vote, voteSig)],
]);
const median = (name: string) => results.find((r) => r.name.startsWith(name))!.median;
console.log(
  JSON.stringify(
    {
      package: '@diva-dvt/operator',
      node: process.version,
      cpu: cpus()[0]?.model ?? 'unknown',
      results,
      ratios: {
        signProposalAfterOverBefore: median('sign proposal, after') / median('sign proposal, before'),
        checkProposalAfterOverBefore: median('check proposal, after') / median('check relayed proposal'),
      },
      figures: {
        // before, a proposal on its sender's own connection was not checked (0 ms); now it is
        directProposalCheckMsAfter: median('check proposal, after'),
      },
    },
    null,
    2,
  ),
);
