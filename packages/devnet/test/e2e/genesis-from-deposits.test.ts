// A genesis state built here from our own deposit data (in-memory deposit tree, Lodestar 1.5.1's
// initializeBeaconStateFromEth1), run by a real Lodestar: it must produce and finalize blocks with
// exactly the validators of that deposit data.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBeaconApi, createBeaconNodeClient } from '@diva-dvt/beacon-api';
import { createBls, deriveSecretKeyFromPath, SecretKey } from '@diva-dvt/bls-threshold';
import { afterAll, describe, expect, it } from 'vitest';
import {
  buildGenesisState,
  GENESIS_FORK_VERSIONS,
  type GenesisDeposit,
  interopSecretKey,
  startLodestar,
  stopAllLodestarNodes,
} from '../../src/index.ts';
import { executionWithdrawalCredentials, GWEI_PER_ETH, makeDeposit } from '../helpers/deposits.ts';
import { recordFigure } from '../helpers/figures.ts';
import { bytesToHex } from '../helpers/hex.ts';
import { waitFor } from '../helpers/rest.ts';

afterAll(stopAllLodestarNodes);

const INTEROP_COUNT = 16;
const SECONDS_PER_SLOT = 2;

describe('genesis from our deposit data', () => {
  it('builds a genesis state from signed deposits and Lodestar runs it: blocks, finality, our validators', async () => {
    const bls = createBls();
    const forkVersion = GENESIS_FORK_VERSIONS.minimal;
    const address = (i: number) => new Uint8Array(20).fill(0xa0 + i);
    // 16 interop keys (Lodestar's validator client runs these), each with its own execution
    // withdrawal address, plus 2 keys of ours (EIP-2333) that nobody runs
    const ownKeys = [0, 1].map((i) =>
      deriveSecretKeyFromPath(new Uint8Array(32).fill(7), `m/12381/3600/${i}/0/0`),
    );
    const deposits: GenesisDeposit[] = [];
    for (let i = 0; i < INTEROP_COUNT; i++) {
      const sk = SecretKey.fromBytes(interopSecretKey(i));
      deposits.push(
        makeDeposit(bls, sk, {
          amountGwei: 32n * GWEI_PER_ETH,
          forkVersion,
          withdrawalCredentials: executionWithdrawalCredentials(address(i)),
        }),
      );
    }
    for (const sk of ownKeys)
      deposits.push(makeDeposit(bls, sk, { amountGwei: 32n * GWEI_PER_ETH, forkVersion }));
    // a top-up of validator 0 (same pubkey: adds to its balance, creates no validator)
    deposits.push(
      makeDeposit(bls, SecretKey.fromBytes(interopSecretKey(0)), {
        amountGwei: 1n * GWEI_PER_ETH,
        forkVersion,
        withdrawalCredentials: executionWithdrawalCredentials(address(0)),
      }),
    );
    // a deposit signed for another network's fork version: its signature is invalid here, so
    // processDeposit must skip it
    const strangerKey = deriveSecretKeyFromPath(new Uint8Array(32).fill(9), 'm/12381/3600/0/0/0');
    deposits.push(
      makeDeposit(bls, strangerKey, {
        amountGwei: 32n * GWEI_PER_ETH,
        forkVersion: GENESIS_FORK_VERSIONS.mainnet,
      }),
    );

    const dir = await mkdtemp(join(tmpdir(), 'diva-devnet-genesis-'));
    const buildStart = Date.now();
    const genesis = await buildGenesisState({
      deposits,
      genesisTimeSec: Math.floor(Date.now() / 1000) + 45, // replaced when the node starts
      outFile: join(dir, 'genesis.ssz'),
    });
    recordFigure('genesis.buildMs', Date.now() - buildStart);

    const expectedPubkeys = [...deposits.slice(0, INTEROP_COUNT + 2).map((d) => bytesToHex(d.pubkey))];
    expect(genesis.depositCount).toBe(deposits.length);
    expect(genesis.validators.map((v) => bytesToHex(v.pubkey))).toEqual(expectedPubkeys);
    expect(genesis.validators[0]!.balanceGwei).toBe(33n * GWEI_PER_ETH);
    expect(genesis.validators[0]!.effectiveBalanceGwei).toBe(32n * GWEI_PER_ETH);
    expect(bytesToHex(genesis.forkVersion)).toBe('0x01000001'); // altair at genesis (minimal)

    // set at the start: building took seconds (a minute on a loaded machine); Lodestar takes 2-20 s to start
    const genesisTimeSec = Math.floor(Date.now() / 1000) + 45;
    const node = await startLodestar({
      genesis: { kind: 'state', stateFile: genesis.stateFile, genesisTimeSec },
      secondsPerSlot: SECONDS_PER_SLOT,
      startValidators: { from: 0, to: INTEROP_COUNT - 1 },
      startTimeoutMs: 120_000,
    });
    try {
      recordFigure('genesis.startupToRestMs', node.startupMs);
      expect(node.genesis.genesisTimeSec).toBe(genesisTimeSec);
      expect(node.genesis.genesisValidatorsRoot).toBe(bytesToHex(genesis.genesisValidatorsRoot));

      const api = createBeaconApi(createBeaconNodeClient({ url: node.restUrl }));
      const validators = (await api.getStateValidators({ stateId: 'head' })).data;
      expect(validators.map((v) => bytesToHex(v.validator.pubkey))).toEqual(expectedPubkeys);
      validators.slice(0, INTEROP_COUNT).forEach((v, i) => {
        expect(bytesToHex(v.validator.withdrawalCredentials)).toBe(
          bytesToHex(executionWithdrawalCredentials(address(i))),
        );
        expect(v.status).toBe('active_ongoing');
      });
      expect(validators[0]!.balance).toBe(33 * 1e9);

      // blocks are produced, and the chain finalizes
      const finalized = await waitFor(
        'a finalized epoch',
        async () => {
          const cp = (await api.getStateFinalityCheckpoints({ stateId: 'head' })).data;
          return cp.finalized.epoch >= 1 ? cp.finalized : undefined;
        },
        { timeoutMs: 45_000 + (4 * 8 + 20) * SECONDS_PER_SLOT * 1000, intervalMs: 1000 },
      );
      const finalizedAfterGenesisSec = Math.round(Date.now() / 1000 - genesisTimeSec);
      recordFigure('genesis.finalized', {
        epoch: finalized.epoch,
        secondsAfterGenesis: finalizedAfterGenesisSec,
      });
      const head = await api.getBlock({ blockId: 'head' });
      const block = head.data.message;
      expect(block.slot).toBeGreaterThanOrEqual(8);
      // the chain carries our deposit tree: eth1_data is the one our genesis committed to
      expect(bytesToHex(block.body.eth1Data.depositRoot)).toBe(bytesToHex(genesis.depositRoot));
      expect(Number(block.body.eth1Data.depositCount)).toBe(deposits.length);
      // every block so far was proposed by one of the validators Lodestar runs
      const headers = await Promise.all(
        Array.from({ length: block.slot }, (_, i) =>
          api.getBlockHeader({ blockId: i + 1 }).catch(() => undefined),
        ),
      );
      const proposers = headers
        .filter((h) => h !== undefined)
        .map((h) => h.data.header.message.proposerIndex);
      expect(proposers.length).toBeGreaterThan(block.slot / 2);
      for (const p of proposers) expect(p).toBeLessThan(INTEROP_COUNT);
      recordFigure('genesis.blocks', { headSlot: block.slot, blocks: proposers.length });
    } finally {
      await node.stop();
    }
  }, 360_000);
});
