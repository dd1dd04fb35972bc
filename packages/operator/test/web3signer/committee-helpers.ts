// Helpers of the committee backend tests: 16 real CommitteeSigners (11 of 16) over the in-memory
// network, each with its own sqlite slashing protection behind its own Web3Signer server on
// loopback HTTP, asked as Lodestar's externalSigner asks. Deadlines run on a fake clock (the
// consensus round timers on real time), so a deadline passes when the test says so.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type AttestationData,
  createForkSchedule,
  createSigningContext,
  ssz,
} from '@diva-dvt/beacon-api/spec';
import type { SignGuard } from '@diva-dvt/consensus';

import {
  type CommitteeSigner,
  createAttestationGuard,
  createBlockGuard,
  createCommitteeWeb3SignerBackend,
  createInstanceGuard,
  createSlashingProtection,
  createSlotTimes,
  createWeb3SignerServer,
  type DecidedMessage,
  loadRuntimeBls,
  type SlashingProtection,
  type Web3SignerServer,
  type Web3SignerSignRequest,
} from '../../src/index.ts';
import { createOperators, createSigner, createValidator } from '../helpers/committee.ts';
import { createFakeClock, type FakeClock } from '../helpers/fake-clock.ts';
import { createMemoryHub } from '../helpers/memory-network.ts';
import { FORK, FORK_INFO_JSON, GENESIS_FORK_VERSION, GENESIS_VALIDATORS_ROOT, hex } from './helpers.ts';

export const { bls } = await loadRuntimeBls();
export const N = 16;
export const T = 11;
export const times = createSlotTimes({
  genesisTimeSec: 1_600_000_000,
  slotDurationMs: 12_000,
  slotsPerEpoch: 32,
});
// the fork_info of helpers.ts as a schedule: epochs from 10 on sign with its current version
export const signing = createSigningContext({
  genesisValidatorsRoot: GENESIS_VALIDATORS_ROOT,
  schedule: createForkSchedule([
    { fork: 'phase0', version: FORK.previousVersion, epoch: 0 },
    { fork: 'altair', version: FORK.currentVersion, epoch: FORK.epoch },
  ]),
});
export const EPOCH = 12;
export const SLOT = EPOCH * 32 + 5;

export interface Member {
  readonly signer: CommitteeSigner;
  readonly server: Web3SignerServer;
  readonly protection: SlashingProtection;
}

export interface Answer {
  readonly status: number;
  readonly signature?: string;
  readonly message?: string;
}

const cleanups: (() => Promise<void> | void)[] = [];
/** Stops what `setup` started (call from `afterEach`). */
export async function cleanup(): Promise<void> {
  for (const c of cleanups.splice(0).reverse()) await c();
}

/** A decided message a member's node handed its publisher (the beacon node side), by position. */
export type Published = { readonly member: number; readonly message: DecidedMessage };

export async function setup(
  published?: Published[],
  options: { readonly precheck?: boolean } = {},
): Promise<{
  clock: FakeClock;
  members: Member[];
  pubkey: `0x${string}`;
  /** Members whose guard has refused at least once (by position). */
  refusedBy: Set<number>;
  verifies(root: Uint8Array, signature: string): boolean;
}> {
  const clock = createFakeClock(times.slotStartMs(SLOT) + 500);
  const operators = createOperators(N);
  const validator = createValidator(3, operators, T);
  const hub = createMemoryHub();
  const dir = mkdtempSync(join(tmpdir(), 'diva-committee-w3s-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const refusedBy = new Set<number>();
  const members: Member[] = [];
  for (const [i, operator] of operators.entries()) {
    const protection = await createSlashingProtection({
      path: join(dir, `operator-${i}.sqlite`),
      genesisValidatorsRoot: GENESIS_VALIDATORS_ROOT,
    });
    cleanups.push(() => protection.close());
    const perInstance = createInstanceGuard(protection);
    const onRefused = () => refusedBy.add(i);
    // as apps/node wires the runtime: the EIP-3076 database for attestations and blocks
    const signer = createSigner(bls, operator, operators, [validator], hub.network(operator.address), {
      clock,
      guardFor: (v, duty) =>
        (duty.type === 'attestation'
          ? createAttestationGuard(protection, v.committee.groupPublicKey, { onRefused })
          : duty.type === 'block'
            ? createBlockGuard(protection, v.committee.groupPublicKey, { onRefused })
            : perInstance) as SignGuard,
    });
    cleanups.push(() => signer.stop());
    const backend = createCommitteeWeb3SignerBackend({
      signer,
      validators: () => [validator.committee],
      clock,
      times,
      signing,
      // as apps/node: the node's slashing protection, asked before a request starts a duty
      ...(options.precheck
        ? {
            precheck: async (r: Web3SignerSignRequest) => {
              if (r.request.type !== 'ATTESTATION') return undefined;
              const { source, target } = r.request.attestation;
              const result = await protection.dryRunAttestation({
                pubkey: r.pubkey,
                sourceEpoch: source.epoch,
                targetEpoch: target.epoch,
                signingRoot: r.signingRoot,
              });
              return result.allowed ? undefined : result.reason;
            },
          }
        : {}),
      ...(published !== undefined
        ? {
            publisher: {
              prepare: async () => {},
              leaderSeed: () => undefined,
              publish: async (message: DecidedMessage) => {
                published.push({ member: i, message });
                return { published: true };
              },
            },
          }
        : {}),
    });
    const server = createWeb3SignerServer({
      backend,
      genesisValidatorsRoot: GENESIS_VALIDATORS_ROOT,
      genesisForkVersion: GENESIS_FORK_VERSION,
      port: 0,
    });
    await server.start();
    cleanups.push(() => server.stop());
    members.push({ signer, server, protection });
  }
  const groupKey = bls.publicKeyFromBytes(validator.committee.groupPublicKey);
  return {
    clock,
    members,
    pubkey: hex(validator.committee.groupPublicKey),
    refusedBy,
    verifies: (root, signature) =>
      bls.verify(groupKey, root, bls.signatureFromBytes(Buffer.from(signature.slice(2), 'hex'))),
  };
}

/** What Lodestar's externalSigner sends: POST the JSON body, read `{signature}` or `{message}`. */
export async function post(member: Member, pubkey: string, body: unknown): Promise<Answer> {
  const res = await fetch(`${member.server.url}/api/v1/eth2/sign/${pubkey}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, ...((await res.json()) as { signature?: string; message?: string }) };
}

export function attestation(slot: number, headByte: number): AttestationData {
  const data = ssz.phase0.AttestationData.defaultValue();
  data.slot = slot;
  data.index = 2;
  data.beaconBlockRoot = new Uint8Array(32).fill(headByte);
  data.source = { epoch: EPOCH - 1, root: new Uint8Array(32).fill(0xaa) };
  data.target = { epoch: EPOCH, root: new Uint8Array(32).fill(0xbb) };
  return data;
}

export const attestationBody = (data: AttestationData) => ({
  type: 'ATTESTATION',
  fork_info: FORK_INFO_JSON,
  attestation: ssz.phase0.AttestationData.toJson(data),
});

/** Resolves once `check` holds, polling the event loop (no time assertion: the test's timeout bounds it). */
export async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, 20));
}
