// One committee, two kinds of members, one block duty (issue 17): members running the built-in
// validator client (each with its own beacon node — beacon-api's route handler on loopback,
// answering electra/fulu block contents with blobs — and a block of its own) and members serving a
// stock validator client through the Web3Signer API (asked as Lodestar's externalSigner asks, each
// client with a header of its own), over real libp2p on loopback with sqlite slashing protection.
// Both kinds agree on the block header in one consensus instance; the member whose header is
// decided publishes (a built-in member with its own block and blobs, or the API client, which alone
// gets the group signature for its header), and the others end honestly: built-in members with
// `other-member-publishes` and nothing published, API clients with 412 naming both roots.
// The round-1 leader (whose value an all-honest committee decides) is computed from the duty, so
// each test puts it on the side it exercises; the consensus round timer is long enough for every
// member to have started by then.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type BeaconBlockHeader,
  blockHeaderSigningRoot,
  createSigningContext,
  forkScheduleFromSpec,
  randaoSigningRoot,
  ssz,
} from '@diva-dvt/beacon-api/spec';
import { leaderOf, leaderOrder, type SignGuard } from '@diva-dvt/consensus';
import {
  createPubkeyCache,
  getBlockProposerSignatureSet,
  verifySignatureSet,
} from '@lodestar/state-transition';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createBlockGuard,
  createCommitteeWeb3SignerBackend,
  createInstanceGuard,
  createSlashingProtection,
  createSlotTimes,
  createWeb3SignerServer,
  type DecidedMessage,
  type DutyOutcome,
  dutyInstanceId,
  dutyReason,
  loadRuntimeBls,
  publicKeyOf,
  type Web3SignerServer,
} from '../../src/index.ts';
import {
  dependentRootOf,
  GENESIS_TIME_SEC,
  GENESIS_VALIDATORS_ROOT,
  type TestBeaconNode,
  VALIDATOR,
} from '../helpers/beacon-node.ts';
import {
  ELECTRA_SPEC,
  forkOfSlot,
  lodestarChain,
  startElectraBeaconNode,
} from '../helpers/beacon-node-electra.ts';
import { createSigner, createValidator, type TestOperator } from '../helpers/committee.ts';
import { createFakeClock, type FakeClock } from '../helpers/fake-clock.ts';
import { createHarness, type Harness, stopNow } from '../helpers/harness.ts';
import { startMesh } from '../helpers/p2p.ts';
import { GENESIS_MS, is, slotStart } from '../helpers/slots.ts';
import { hex } from './helpers.ts';

const { bls } = await loadRuntimeBls();
const N = 4;
const T = 3;
const times = createSlotTimes({ genesisTimeSec: GENESIS_TIME_SEC, slotDurationMs: 6_000, slotsPerEpoch: 8 });
const signing = createSigningContext({
  genesisValidatorsRoot: GENESIS_VALIDATORS_ROOT,
  schedule: forkScheduleFromSpec(ELECTRA_SPEC),
});
const VERSIONS: Record<string, string> = { electra: '0x05000001', fulu: '0x06000001', deneb: '0x04000001' };

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface BuiltIn {
  readonly kind: 'built-in';
  readonly shareIndex: number;
  readonly node: TestBeaconNode;
  readonly h: Harness;
}
interface ApiMember {
  readonly kind: 'api';
  readonly shareIndex: number;
  readonly server: Web3SignerServer;
  /** What the committee backend handed this node's publisher (no block: it holds no body). */
  readonly handedOver: DecidedMessage[];
}

/** The round-1 leader's share index of the block duty at `slot` (the value an honest committee decides). */
function roundOneLeader(groupPublicKey: Uint8Array, slot: number): number {
  const id = dutyInstanceId({ groupPublicKey, type: 'block', slot });
  return leaderOf(leaderOrder(N, id, dependentRootOf(times.epochOf(slot))), 1);
}

/**
 * N members of one validator over loopback libp2p; `builtIn(shareIndex)` says which run the built-in
 * client (the others serve the Web3Signer API). Every member's consensus rounds wait 3 s (real
 * time), so the round-1 leader decides even on a loaded machine.
 */
async function setup(
  startMs: number,
  builtIn: (shareIndex: number, leader: (slot: number) => number) => boolean,
) {
  const clock: FakeClock = createFakeClock(startMs);
  const nodes = await startMesh(N);
  cleanups.push(() => Promise.all(nodes.map((n) => n.network.stop())));
  const operators: TestOperator[] = nodes.map((n) => ({
    address: n.network.address,
    secretKey: n.key,
    publicKey: publicKeyOf(n.key),
  }));
  const validator = createValidator(VALIDATOR, operators, T);
  const { groupPublicKey } = validator.committee;
  const leader = (slot: number) => roundOneLeader(groupPublicKey, slot);
  const dir = mkdtempSync(join(tmpdir(), 'diva-mixed-block-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const members: (BuiltIn | ApiMember)[] = [];
  for (const [i, operator] of operators.entries()) {
    const shareIndex = i + 1;
    const protection = await createSlashingProtection({
      path: join(dir, `operator-${shareIndex}.sqlite`),
      genesisValidatorsRoot: GENESIS_VALIDATORS_ROOT,
    });
    cleanups.push(() => protection.close());
    const perInstance = createInstanceGuard(protection);
    // as apps/node wires the runtime: blocks behind the EIP-3076 database
    const signer = createSigner(
      bls,
      operator,
      operators,
      [validator],
      nodes[i]!.network,
      {
        clock,
        guardFor: (v, duty) =>
          (duty.type === 'block'
            ? createBlockGuard(protection, v.committee.groupPublicKey)
            : perInstance) as SignGuard,
      },
      { roundTimeoutMs: 3_000 },
    );
    cleanups.push(() => signer.stop());
    if (builtIn(shareIndex, leader)) {
      // only the block duty runs: no attester or sync duties (their leader seed is still served)
      const node = await startElectraBeaconNode({
        clock,
        overrides: {
          getAttesterDuties: ({ epoch }) => ({
            data: [],
            meta: { dependentRoot: dependentRootOf(epoch), executionOptimistic: false },
          }),
          getSyncCommitteeDuties: () => ({ data: [], meta: { executionOptimistic: false } }),
        },
      });
      cleanups.push(() => node.close());
      // each member's node builds another block (its graffiti)
      const h = createHarness({
        url: node.url,
        clock,
        signer,
        init: { graffiti: new Uint8Array(32).fill(i + 1) },
      });
      await h.client.start();
      cleanups.push(() => stopNow(h));
      members.push({ kind: 'built-in', shareIndex, node, h });
    } else {
      const handedOver: DecidedMessage[] = [];
      const backend = createCommitteeWeb3SignerBackend({
        signer,
        validators: () => [validator.committee],
        clock,
        times,
        signing,
        leaderSeed: (epoch) => dependentRootOf(epoch),
        publisher: {
          prepare: async () => {},
          leaderSeed: (epoch) => dependentRootOf(epoch),
          publish: async (message) => {
            handedOver.push(message);
            return { published: true };
          },
        },
      });
      const server = createWeb3SignerServer({
        backend,
        genesisValidatorsRoot: GENESIS_VALIDATORS_ROOT,
        genesisForkVersion: Uint8Array.of(0, 0, 0, 1),
        port: 0,
      });
      await server.start();
      cleanups.push(() => server.stop());
      members.push({ kind: 'api', shareIndex, server, handedOver });
    }
  }
  return { clock, members, groupPublicKey, leader };
}

const forkInfo = (slot: number) => {
  const fork = forkOfSlot(slot);
  const epoch = fork === 'fulu' ? 1 : 0;
  return {
    fork: {
      previous_version: VERSIONS[fork === 'fulu' ? 'electra' : 'deneb'],
      current_version: VERSIONS[fork],
      epoch: String(epoch),
    },
    genesis_validators_root: hex(GENESIS_VALIDATORS_ROOT),
  };
};

async function post(server: Web3SignerServer, pubkey: string, body: unknown) {
  const res = await fetch(`${server.url}/api/v1/eth2/sign/${pubkey}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, ...((await res.json()) as { signature?: string; message?: string }) };
}

/** What an API member's client does for a proposal: the RANDAO reveal, then its own block's header. */
async function clientProposes(m: ApiMember, pubkey: string, slot: number, header: BeaconBlockHeader) {
  const randao = await post(m.server, pubkey, {
    type: 'RANDAO_REVEAL',
    fork_info: forkInfo(slot),
    randao_reveal: { epoch: String(times.epochOf(slot)) },
  });
  const block = await post(m.server, pubkey, {
    type: 'BLOCK_V2',
    fork_info: forkInfo(slot),
    beacon_block: {
      version: forkOfSlot(slot).toUpperCase(),
      block_header: ssz.phase0.BeaconBlockHeader.toJson(header),
    },
  });
  return { randao, block };
}

/** The header of the block an API member's client built (its own state and body roots). */
const clientHeader = (slot: number, shareIndex: number): BeaconBlockHeader => ({
  slot,
  proposerIndex: VALIDATOR,
  parentRoot: new Uint8Array(32).fill(0x11),
  stateRoot: new Uint8Array(32).fill(0x40 + shareIndex),
  bodyRoot: new Uint8Array(32).fill(0x50 + shareIndex),
});

const blockOutcome = (m: BuiltIn, slot: number) => m.h.outcome(is('block', slot), `block of slot ${slot}`);
const publishedBlocks = (m: BuiltIn) => [
  ...m.node.callsTo('publishBlock'),
  ...m.node.callsTo('publishBlindedBlock'),
];

/** Runs the block duty of `slot` on every member; returns the built-in outcomes and the clients' answers. */
async function propose(s: Awaited<ReturnType<typeof setup>>, slot: number) {
  const pubkey = hex(s.groupPublicKey);
  s.clock.advanceTo(slotStart(slot));
  const api = s.members.filter((m): m is ApiMember => m.kind === 'api');
  const builtIn = s.members.filter((m): m is BuiltIn => m.kind === 'built-in');
  const [answers, outcomes] = await Promise.all([
    Promise.all(api.map((m) => clientProposes(m, pubkey, slot, clientHeader(slot, m.shareIndex)))),
    Promise.all(builtIn.map((m) => blockOutcome(m, slot))),
  ]);
  return { api, builtIn, answers, outcomes };
}

const verifies = (groupPublicKey: Uint8Array, root: Uint8Array, signature: Uint8Array | string) =>
  bls.verify(
    bls.publicKeyFromBytes(groupPublicKey),
    root,
    bls.signatureFromBytes(
      typeof signature === 'string' ? Uint8Array.from(Buffer.from(signature.slice(2), 'hex')) : signature,
    ),
  );

describe('a committee mixing built-in and Web3Signer members proposes a block', () => {
  it("decides a built-in member's header: that member publishes its block with blobs, the others publish nothing and say why", {
    timeout: 60_000,
  }, async () => {
    const slot = 1; // electra
    // the round-1 leader and one more member run the built-in client; two serve the API
    const s = await setup(GENESIS_MS - 5_000, (shareIndex, leader) => {
      const l = leader(slot);
      return shareIndex === l || shareIndex === (l % N) + 1;
    });
    const leader = s.leader(slot);
    const { api, builtIn, answers, outcomes } = await propose(s, slot);
    expect(builtIn).toHaveLength(2);
    expect(api).toHaveLength(2);

    // the RANDAO reveal was one group signature for both kinds of members
    for (const a of answers) {
      expect(a.randao.status).toBe(200);
      expect(verifies(s.groupPublicKey, randaoSigningRoot(signing, 0), a.randao.signature as string)).toBe(
        true,
      );
    }

    const winner = builtIn.find((m) => m.shareIndex === leader) as BuiltIn;
    const loser = builtIn.find((m) => m.shareIndex !== leader) as BuiltIn;
    const won = outcomes[builtIn.indexOf(winner)] as DutyOutcome;
    const lost = outcomes[builtIn.indexOf(loser)] as DutyOutcome;

    // the winner published its own block contents (blobs included), signed by the group
    expect(won.status).toBe('published');
    const calls = publishedBlocks(winner);
    expect(calls.map((c) => [c.endpoint, c.args.fork])).toEqual([['publishBlock', 'electra']]);
    const { signedBlock, blobs, kzgProofs } = calls[0]!.args.data;
    expect(blobs).toHaveLength(1);
    expect(kzgProofs).toHaveLength(1);
    expect(signedBlock.message.body.graffiti).toEqual(new Uint8Array(32).fill(leader));
    const lodestar = await lodestarChain();
    const pubkeys = createPubkeyCache();
    pubkeys.set(VALIDATOR, s.groupPublicKey);
    expect(verifySignatureSet(getBlockProposerSignatureSet(lodestar.config, signedBlock), pubkeys)).toBe(
      true,
    );
    const blockRoot = ssz.electra.BeaconBlock.hashTreeRoot(signedBlock.message);
    expect(won.status === 'published' && won.duty === 'block' && won.message.blockRoot).toEqual(blockRoot);

    // the other built-in member signed the same block but publishes nothing: not a failure
    expect(publishedBlocks(loser)).toEqual([]);
    expect(lost.status).toBe('other-member-publishes');
    expect(dutyReason(lost)).toBe('other-member-publishes');
    if (lost.status !== 'other-member-publishes') throw new Error('unreachable');
    expect(lost.decided.blockRoot).toEqual(blockRoot);
    expect(lost.decided.signature).toEqual(signedBlock.signature);
    expect(lost.ownBlockRoot).not.toEqual(blockRoot);

    // the API clients asked for their own headers: 412 naming the decided root and who publishes;
    // their nodes publish nothing (they hold no body of the decided block)
    for (const [k, a] of answers.entries()) {
      expect(a.block.status).toBe(412);
      expect(a.block.message).toContain(hex(blockRoot));
      expect(a.block.message).toContain('the member whose block was decided holds its body and publishes it');
      expect(api[k]!.handedOver).toEqual([]);
    }
  });

  it("decides an API member's header: its client alone gets the group signature, no built-in member publishes", {
    timeout: 60_000,
  }, async () => {
    const slot = 9; // fulu
    // the round-1 leader and one more member serve the API; two run the built-in client
    // the clients start in slot 8, after epoch 0's proposal
    const s = await setup(slotStart(8) + 1_000, (shareIndex, leader) => {
      const l = leader(slot);
      return shareIndex !== l && shareIndex !== (l % N) + 1;
    });
    const leader = s.leader(slot);
    const { api, builtIn, answers, outcomes } = await propose(s, slot);
    expect(builtIn).toHaveLength(2);
    expect(api).toHaveLength(2);

    const decided = clientHeader(slot, leader);
    const decidedRoot = ssz.phase0.BeaconBlockHeader.hashTreeRoot(decided);
    const [signature] = answers.filter((a) => a.block.status === 200).map((a) => a.block.signature);
    for (const [k, a] of answers.entries()) {
      expect(a.randao.status).toBe(200);
      if (api[k]!.shareIndex === leader) {
        // the winning client gets the group signature over its header (= its block's signing root)
        expect(a.block.status).toBe(200);
        expect(
          verifies(s.groupPublicKey, blockHeaderSigningRoot(signing, decided), signature as string),
        ).toBe(true);
      } else {
        expect(a.block.status).toBe(412);
        expect(a.block.message).toContain(hex(decidedRoot));
      }
      expect(api[k]!.handedOver).toEqual([]);
    }
    for (const [k, m] of builtIn.entries()) {
      const o = outcomes[k] as DutyOutcome;
      expect(o.status).toBe('other-member-publishes');
      if (o.status !== 'other-member-publishes') throw new Error('unreachable');
      expect(o.decided.blockRoot).toEqual(decidedRoot);
      expect(hex(o.decided.signature)).toBe(signature);
      expect(o.ownBlockRoot).not.toEqual(decidedRoot);
      expect(publishedBlocks(m)).toEqual([]);
    }
  });
});
