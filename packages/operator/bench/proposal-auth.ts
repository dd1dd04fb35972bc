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

function time(name: string, fn: () => unknown) {
  for (let i = 0; i < Math.min(20, n); i++) fn();
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const start = performance.now();
    if (!fn()) throw new Error(`${name}: check failed`);
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]!;
  process.stderr.write(`${name}: median ${at(0.5).toFixed(3)} ms\n`);
  return { name, unit: 'ms', median: at(0.5), p99: at(0.99), n };
}

const beforeSig = before.sign(proposal);
const afterSig = after.sign(proposal);
const voteSig = before.sign(vote);
const results = [
  time('sign proposal, before (secp256k1 of the bytes)', () => before.sign(proposal)),
  time('sign proposal, after (EIP-712 digest, recoverable)', () => after.sign(proposal)),
  time('check relayed proposal, before (verify)', () => before.verify(1, proposal, beforeSig)),
  time('check proposal, after (digest + recover)', () => after.verify(1, proposal, afterSig)),
  time('sign vote (unchanged)', () => after.sign(vote)),
  time('check relayed vote (unchanged)', () => after.verify(1, vote, voteSig)),
];
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
