// Exit requests acted on (./src/chain/exit-requests.ts). The epoch rule: the beacon epoch of the
// request block's timestamp, the same at every member. The wiring: four members, each a real
// validator client with a real committee signer (3 of 4, over an in-process network), all against
// one test beacon node (Electra, minimal preset: 6 s slots, 8 per epoch); each member's
// `ExitRequests` sees the same `ExitRequested` event on its own and their partial signatures combine
// into one exit, published by every member at the same epoch. Records in each data directory keep
// a restart from signing again (published) or at another epoch (pending).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ssz } from '@diva-dvt/beacon-api/spec';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type ExitEpochTimes,
  type ExitRecord,
  ExitRequests,
  type ExitRequestsParameters,
  exitEpochOfRequest,
  type RequestedExit,
  silentLogger,
  type VoluntaryExitOptions,
} from '../../src/index.ts';
import { loadRuntimeBls } from '../../src/runtime/bls.ts';
import { GENESIS_TIME_SEC, VALIDATOR } from '../helpers/beacon-node.ts';
import { startElectraBeaconNode } from '../helpers/beacon-node-electra.ts';
import { createOperators, createSigner, type TestValidator } from '../helpers/committee.ts';
import { createFakeClock } from '../helpers/fake-clock.ts';
import { createHarness, groupPublicKey, type Harness, split, stopNow } from '../helpers/harness.ts';
import { createMemoryHub } from '../helpers/memory-network.ts';

const { bls } = await loadRuntimeBls();
const SLOT_MS = 6_000;
const GENESIS_MS = GENESIS_TIME_SEC * 1000;
const TIMES: ExitEpochTimes = { genesisTimeSec: GENESIS_TIME_SEC, slotDurationMs: SLOT_MS, slotsPerEpoch: 8 };
/** A stand-in for the execution chain: block b at genesis + 6·b s (12 s blocks would do as well). */
const blockTimestampSec = async (block: bigint) => BigInt(GENESIS_TIME_SEC) + block * 6n;
const EVENT: RequestedExit = {
  drawId: 1n,
  pubkey: groupPublicKey.bytes,
  reason: 1,
  requester: `0x${'ee'.repeat(20)}`,
  blockNumber: 20n, // genesis + 120 s: slot 20, epoch 2
};

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const readRecord = (dir: string): ExitRecord =>
  JSON.parse(readFileSync(join(dir, `0x${Buffer.from(EVENT.pubkey).toString('hex')}.json`), 'utf8'));

function requestsIn(dir: string, overrides: Partial<ExitRequestsParameters> = {}) {
  const exits: { validatorIndex: number; options: VoluntaryExitOptions }[] = [];
  const requests = new ExitRequests({
    dir,
    exit: async (validatorIndex, options) => {
      exits.push({ validatorIndex, options });
      throw new Error('no committee here');
    },
    times: () => TIMES,
    blockTimestampSec,
    validatorOf: async () => ({ index: VALIDATOR, exiting: false }),
    logger: silentLogger,
    retryMs: 3_600_000,
    ...overrides,
  });
  cleanups.push(() => requests.stop());
  return { requests, exits };
}

describe('exitEpochOfRequest', () => {
  it('is the epoch of the block timestamp, 0 before genesis', () => {
    expect(exitEpochOfRequest(BigInt(GENESIS_TIME_SEC), TIMES)).toBe(0);
    expect(exitEpochOfRequest(BigInt(GENESIS_TIME_SEC + 47), TIMES)).toBe(0);
    expect(exitEpochOfRequest(BigInt(GENESIS_TIME_SEC + 48), TIMES)).toBe(1);
    expect(exitEpochOfRequest(BigInt(GENESIS_TIME_SEC + 48 * 1000 + 5), TIMES)).toBe(1000);
    expect(exitEpochOfRequest(BigInt(GENESIS_TIME_SEC - 100), TIMES)).toBe(0);
  });
});

describe('ExitRequests', () => {
  it('each member signs the exit with the committee at the same epoch and publishes it; a restart signs nothing again', async () => {
    const clock = createFakeClock(GENESIS_MS - 5_000);
    const beacon = await startElectraBeaconNode({ clock });
    cleanups.push(() => beacon.close());
    const operators = createOperators(4, 3);
    const validator: TestValidator = {
      validatorIndex: VALIDATOR,
      secretKey: undefined as never, // the members hold shares only
      committee: {
        groupPublicKey: groupPublicKey.bytes,
        threshold: 3,
        validatorIndex: VALIDATOR,
        members: operators.map((o, i) => ({
          operator: o.address,
          shareIndex: i + 1,
          publicShare: split.publicShares[i]!.publicKey.bytes,
        })),
      },
      shares: new Map(operators.map((o, i) => [o.address, split.shares[i]!])),
    };
    const hub = createMemoryHub();
    const members: { h: Harness; dir: string }[] = [];
    for (const o of operators) {
      const signer = createSigner(bls, o, operators, [validator], hub.network(o.address), { clock });
      cleanups.push(() => signer.stop());
      const h = createHarness({ url: beacon.url, clock, signer });
      await h.client.start();
      cleanups.push(() => stopNow(h));
      const dir = mkdtempSync(join(tmpdir(), 'diva-exit-requests-'));
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      members.push({ h, dir });
    }
    clock.advanceTo(GENESIS_MS + 21 * SLOT_MS); // epoch 2, where the request's block is
    const handlers = members.map(({ h, dir }) =>
      requestsIn(dir, { exit: (index, options) => h.client.exit(index, options) }),
    );
    for (const { requests } of handlers) requests.handle(EVENT);
    await Promise.all(handlers.map(({ requests }) => requests.settled()));

    const submitted = beacon.callsTo('submitPoolVoluntaryExit').map((c) => c.args.data);
    expect(submitted).toHaveLength(4);
    const bytes = submitted.map((s) =>
      Buffer.from(ssz.phase0.SignedVoluntaryExit.serialize(s)).toString('hex'),
    );
    expect(new Set(bytes).size).toBe(1); // one exit, one group signature
    expect(submitted[0].message).toEqual({ epoch: 2, validatorIndex: VALIDATOR });
    for (const { dir } of members) {
      expect(readRecord(dir)).toMatchObject({
        drawId: '1',
        epoch: 2,
        status: 'published',
        validatorIndex: VALIDATOR,
      });
    }

    // restarted (a new handler on the same data directory) and the request read again: nothing signed
    const again = requestsIn(members[0]!.dir);
    again.requests.handle(EVENT);
    await again.requests.settled();
    expect(again.exits).toEqual([]);
    expect(beacon.callsTo('submitPoolVoluntaryExit')).toHaveLength(4);
  }, 60_000);

  it('a request not yet published is tried again at its recorded epoch, and not for a validator already exiting', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'diva-exit-requests-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const first = requestsIn(dir);
    // read three times (a replay while the first try runs): one try
    first.requests.handle(EVENT);
    first.requests.handle(EVENT);
    first.requests.handle(EVENT);
    await first.requests.settled();
    expect(first.exits).toEqual([{ validatorIndex: VALIDATOR, options: { epoch: 2, publish: true } }]);
    expect(readRecord(dir)).toMatchObject({ epoch: 2, status: 'pending' });
    await first.requests.stop();

    // after a restart the chain answers another timestamp (say a reorganised block): the record wins
    const second = requestsIn(dir, { blockTimestampSec: async () => BigInt(GENESIS_TIME_SEC + 48 * 7) });
    second.requests.handle(EVENT);
    await second.requests.settled();
    expect(second.exits.map((e) => e.options.epoch)).toEqual([2]);

    const exiting = requestsIn(dir, { validatorOf: async () => ({ index: VALIDATOR, exiting: true }) });
    exiting.requests.handle(EVENT);
    await exiting.requests.settled();
    expect(exiting.exits).toEqual([]);
    expect(readRecord(dir).status).toBe('already-exiting');
  });

  it('tries a request not published again after retryMs, one retry at a time', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'diva-exit-requests-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const { requests, exits } = requestsIn(dir, { retryMs: 300 });
    requests.handle(EVENT);
    await requests.settled();
    requests.handle(EVENT); // seen again while its retry waits: tried now, and still one retry pending
    await requests.settled();
    expect(exits).toHaveLength(2);
    const deadline = Date.now() + 10_000;
    while (exits.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await requests.settled();
    await new Promise((r) => setTimeout(r, 100)); // a second pending retry would have fired by now
    expect(exits).toHaveLength(3);
    await requests.stop();
  });
});
