// Equivocation evidence from the p2p network: a committee of 4 in-process operators over real
// libp2p (loopback, Noise, Yamux), proposals signed as the evidence contract's EIP-712 Proposal.
// A Byzantine round-1 leader sends one signed value to one member and another to the other two:
// the honest members meet both proposals in their round changes and store the evidence in the
// contract's form (sqlite). A leader that signs over another chain id is refused as a forgery.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { leaderOf, leaderOrder } from '@diva-dvt/consensus';
import { sha256 } from '@noble/hashes/sha2.js';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  createSlashingProtection,
  createSqliteEvidenceStore,
  type EvidenceStore,
  type ProposalDomain,
  proposalDomainSeparator,
  publicKeyOf,
  type SigningEvent,
} from '../src/index.ts';
import { createOperatorAuthenticator } from '../src/runtime/auth.ts';
import { loadRuntimeBls } from '../src/runtime/bls.ts';
import type { CommitteeSigner } from '../src/runtime/committee-signer.ts';
import { dutyInstanceId, encodeConsensusFrame } from '../src/runtime/frames.ts';
import type { SigningDuty } from '../src/signer.ts';
import { bytesValueType } from './helpers/bytes-value.ts';
import { createSigner, createValidator, type TestOperator } from './helpers/committee.ts';
import { createNode, operatorKey, peerInfoOf, type TestNode, waitUntil } from './helpers/p2p.ts';
import { proposalMessage } from './helpers/proposals.ts';

const { bls } = await loadRuntimeBls();
const N = 4;
const T = 3;
const DOMAIN: ProposalDomain = {
  chainId: 31337,
  evidenceContract: '0x5fbdb2315678afecb367f032d93f642f64180aa3',
};

const bytesValue = bytesValueType();

const dir = mkdtempSync(join(tmpdir(), 'diva-committee-evidence-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const running: { nodes: TestNode[]; signers: CommitteeSigner[] }[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) {
    for (const s of r.signers) s.stop();
    await Promise.all(r.nodes.map((n) => n.network.stop()));
  }
});

/**
 * 4 operators over loopback, the round-1 leader of `duty` Byzantine (a bare network: it runs no
 * signer and sends what the test writes), the other 3 honest CommitteeSigners with evidence stores.
 */
async function committee(label: string, slot: number, byzantineSigner = false) {
  const nodes = Array.from({ length: N }, (_, i) => createNode(operatorKey(`${label} ${i}`)));
  await Promise.all(nodes.map((n) => n.network.start()));
  const infos = nodes.map(peerInfoOf);
  for (const n of nodes) n.network.setPeers(infos.filter((p) => p.address !== n.network.address));
  const operators: TestOperator[] = nodes.map((n) => ({
    address: n.network.address,
    secretKey: n.key,
    publicKey: publicKeyOf(n.key),
  }));
  const validator = createValidator(3, operators, T);
  const duty: SigningDuty = { type: 'attestation', validatorIndex: 3, slot, deadlineMs: Date.now() + 4_000 };
  const instance = dutyInstanceId({ ...duty, groupPublicKey: validator.committee.groupPublicKey });
  const seed = validator.committee.groupPublicKey.subarray(0, 32);
  const leader = leaderOf(leaderOrder(N, instance, seed), 1);
  const byzantine = nodes[leader - 1]!;
  const events: SigningEvent[] = [];
  const stores = new Map<number, EvidenceStore>();
  const signers: CommitteeSigner[] = [];
  for (const [i, o] of operators.entries()) {
    if (i === leader - 1) {
      // the leader runs a real signer with the devnet's fault injection, or none (the test writes)
      if (byzantineSigner)
        signers.push(
          createSigner(
            bls,
            o,
            operators,
            [validator],
            nodes[i]!.network,
            {},
            {
              proposalDomain: DOMAIN,
              faults: { equivocateAsLeader: true },
            },
          ),
        );
      continue;
    }
    const protection = await createSlashingProtection({
      path: join(dir, `${label}-${i}.sqlite`),
      genesisValidatorsRoot: new Uint8Array(32).fill(7),
    });
    const evidence = createSqliteEvidenceStore(protection);
    stores.set(i + 1, evidence);
    const signer = createSigner(
      bls,
      o,
      operators,
      [validator],
      nodes[i]!.network,
      { evidence, onEvent: (e) => events.push(e) },
      { proposalDomain: DOMAIN },
    );
    signers.push(signer);
  }
  running.push({ nodes, signers });
  await waitUntil(
    () => nodes.every((n) => n.network.connectedPeers().length === N - 1),
    'the committee to connect',
  );
  return { nodes, operators, validator, duty, instance, leader, byzantine, events, stores, signers };
}

describe('equivocation evidence over libp2p', () => {
  it('honest members store a Byzantine leader’s two signed proposals in the contract’s form', async () => {
    const c = await committee('equivocation', 40);
    const honest = c.operators.map((_, i) => i + 1).filter((m) => m !== c.leader);
    const auth = createOperatorAuthenticator({
      secretKey: c.byzantine.key,
      publicKeys: c.operators.map((o) => o.publicKey),
      direct: { bytes: undefined, member: 0 },
      proposals: { domainSeparator: proposalDomainSeparator(DOMAIN), rootOf: (v) => sha256(v) },
    });
    const valueA = new Uint8Array(32).fill(0xa1);
    const valueB = new Uint8Array(32).fill(0xb2);
    const sendTo = (member: number, value: Uint8Array) =>
      c.byzantine.network.send(
        c.operators[member - 1]!.address,
        encodeConsensusFrame(proposalMessage(c.instance, 1, c.leader, value, (p) => auth.sign(p))),
      );
    const decisions = c.signers.map((s, i) =>
      s.decide(new Uint8Array(32).fill(i + 1), bytesValue, c.duty).catch((e: unknown) => e),
    );
    sendTo(honest[0]!, valueA);
    for (const m of honest.slice(1)) sendTo(m, valueB);
    await waitUntil(
      () => [...c.stores.values()].every((s) => s.leaderEquivocations().length === 1),
      'every honest member to store the evidence',
    );
    const leaderAddress = c.operators[c.leader - 1]!.address;
    const roots = [sha256(valueA), sha256(valueB)].map((r) => `0x${Buffer.from(r).toString('hex')}`);
    for (const store of c.stores.values()) {
      const [e] = store.leaderEquivocations();
      expect(e!.operator).toBe(leaderAddress);
      expect(e!.first.instance).toBe(`0x${Buffer.from(c.instance).toString('hex')}`);
      expect(e!.first.round).toBe(1n);
      expect(e!.second.round).toBe(1n);
      expect([e!.first.valueRoot, e!.second.valueRoot].sort()).toEqual([...roots].sort());
      expect(e!.proof).toBeUndefined();
      // the signature is Ethereum's r ‖ s ‖ v over the contract's digest: it recovers to the leader
      expect(e!.first.signature).toMatch(/^0x[0-9a-f]{128}(1b|1c)$/);
    }
    expect(c.events.some((e) => e.type === 'evidence')).toBe(true);
    await Promise.all(decisions);
  }, 30_000);

  it('a signer with equivocateAsLeader splits its committee: evidence kept, nothing decided twice', async () => {
    const c = await committee('fault-injection', 42, true);
    const decisions = c.signers.map((s, i) =>
      s.decide(new Uint8Array(32).fill(i + 1), bytesValue, c.duty).catch((e: unknown) => e),
    );
    await waitUntil(
      () => [...c.stores.values()].every((s) => s.leaderEquivocations().length === 1),
      'every honest member to store the evidence',
    );
    const leaderAddress = c.operators[c.leader - 1]!.address;
    for (const store of c.stores.values()) {
      const [e] = store.leaderEquivocations();
      expect(e!.operator).toBe(leaderAddress);
      expect(e!.first.round).toBe(1n);
      expect(e!.first.valueRoot).not.toBe(e!.second.valueRoot);
    }
    // Each member's sign guard binds it to its round-1 vote, and the split leaves neither value t
    // voters: the duty is lost (what an equivocating leader costs until it is excluded), but no
    // member decides anything the others did not, and none fails otherwise.
    const results = await Promise.all(decisions);
    const decided = new Set<string>();
    for (const r of results) {
      if (r instanceof Error) expect(r.message).toMatch(/SLASHING_PROTECTION_REFUSED|CONSENSUS_TIMEOUT/);
      else decided.add(Buffer.from((r as { value: Uint8Array }).value).toString('hex'));
    }
    expect(decided.size).toBeLessThanOrEqual(1);
  }, 30_000);

  it('refuses a proposal signed for another chain as a forgery and counts it invalid', async () => {
    const c = await committee('wrong-domain', 41);
    const wrong = createOperatorAuthenticator({
      secretKey: c.byzantine.key,
      publicKeys: c.operators.map((o) => o.publicKey),
      direct: { bytes: undefined, member: 0 },
      proposals: {
        domainSeparator: proposalDomainSeparator({ ...DOMAIN, chainId: 1 }),
        rootOf: (v) => sha256(v),
      },
    });
    const forged = proposalMessage(c.instance, 1, c.leader, new Uint8Array(32).fill(0xc3), (p) =>
      wrong.sign(p),
    );
    // it is a valid secp256k1 signature by the leader's key, only over another domain
    expect(forged.length).toBe(45 + 4 + 32 + 2 + 65);
    const decisions = c.signers.map((s, i) =>
      s.decide(new Uint8Array(32).fill(i + 1), bytesValue, c.duty).catch((e: unknown) => e),
    );
    for (const o of c.operators)
      if (o.address !== c.byzantine.network.address)
        c.byzantine.network.send(o.address, encodeConsensusFrame(forged));
    const leaderAddress = c.byzantine.network.address;
    const invalidAt = (node: TestNode) =>
      node.network.stats().find((s) => s.address === leaderAddress)?.dropped.invalid ?? 0;
    const honestNodes = c.nodes.filter((n) => n !== c.byzantine);
    await waitUntil(() => honestNodes.every((n) => invalidAt(n) >= 1), 'every member to count it invalid');
    const drops = c.events.filter(
      (e) => e.type === 'dropped' && e.from === leaderAddress && e.reason === 'bad-signature',
    );
    expect(drops).toHaveLength(N - 1);
    // nobody voted for it: the honest members decide in round 2 on an honest leader's value
    const results = await Promise.all(decisions);
    for (const r of results) expect(r).toMatchObject({ value: expect.any(Uint8Array) });
    expect(c.events.some((e) => e.type === 'decided' && e.round >= 2)).toBe(true);
    for (const store of c.stores.values()) expect(store.leaderEquivocations()).toHaveLength(0);
  }, 30_000);
});
