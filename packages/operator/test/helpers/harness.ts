// A validator client wired to a test beacon node, a fake clock and an in-process 3-of-4 signer,
// with its outcomes and logs recorded and a way to wait for an outcome.
import { createBeaconApi, createBeaconNodeClient } from '@diva-dvt/beacon-api';
import { createBls, createSeededRandom, SecretKey, splitSecretKey } from '@diva-dvt/bls-threshold';
import {
  createLocalThresholdSigner,
  type DutyOutcome,
  type EpochDuties,
  type Logger,
  type SigningDuty,
  type ThresholdSigner,
  ValidatorClient,
  type ValidatorClientInit,
} from '../../src/index.ts';
import { GENESIS_TIME_SEC, VALIDATOR } from './beacon-node.ts';
import { createFakeClock, type FakeClock } from './fake-clock.ts';

export const bls = createBls({ random: createSeededRandom('operator tests: batch scalars') });
const secretKey = SecretKey.fromBytes(new Uint8Array(32).fill(0x17));
export const split = splitSecretKey(secretKey, {
  threshold: 3,
  shareCount: 4,
  random: createSeededRandom('operator tests: dealer'),
});
export const groupPublicKey = split.groupPublicKey;

export function localSigner() {
  return createLocalThresholdSigner({
    bls,
    validators: [
      {
        validatorIndex: VALIDATOR,
        shares: split.shares,
        publicShares: split.publicShares.map((s) => s.publicKey),
        groupPublicKey,
        threshold: 3,
      },
    ],
  });
}

/** True when `signature` is the group key's signature over `root`. */
export function verifiesWithGroupKey(root: Uint8Array, signature: Uint8Array): boolean {
  return bls.verify(groupPublicKey, root, bls.signatureFromBytes(signature));
}

export interface LogLine {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
  readonly fields: Readonly<Record<string, unknown>> | undefined;
}

export interface Harness {
  readonly clock: FakeClock;
  readonly client: ValidatorClient;
  readonly outcomes: DutyOutcome[];
  readonly duties: EpochDuties[];
  readonly signed: SigningDuty[];
  readonly logs: LogLine[];
  /** Slots whose duties have started. */
  readonly slots: number[];
  /** Resolves with the first outcome (past or future) matching `match`; fails after 20 s of real time. */
  outcome(match: (o: DutyOutcome) => boolean, what: string): Promise<DutyOutcome>;
}

export function createHarness(options: {
  url: string;
  signer?: ThresholdSigner;
  clock?: FakeClock;
  init?: Partial<ValidatorClientInit>;
}): Harness {
  const clock = options.clock ?? createFakeClock(GENESIS_TIME_SEC * 1000 - 5_000);
  const inner = options.signer ?? localSigner();
  const signed: SigningDuty[] = [];
  const outcomes: DutyOutcome[] = [];
  const duties: EpochDuties[] = [];
  const logs: LogLine[] = [];
  const slots: number[] = [];
  const listeners = new Set<(o: DutyOutcome) => void>();
  const log = (level: LogLine['level']) => (message: string, fields?: Readonly<Record<string, unknown>>) =>
    logs.push({ level, message, fields });
  const logger: Logger = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
  const client = new ValidatorClient(
    {
      api: createBeaconApi(createBeaconNodeClient({ url: options.url })),
      clock,
      logger,
      signer: {
        sign: (root, duty) => {
          signed.push(duty);
          return inner.sign(root, duty);
        },
        decide: (own, valueType, duty) => {
          signed.push(duty);
          return inner.decide(own, valueType, duty);
        },
      },
    },
    {
      validatorIndices: [VALIDATOR],
      onOutcome: (o) => {
        outcomes.push(o);
        for (const l of listeners) l(o);
      },
      onDuties: (d) => duties.push(d),
      onSlot: (slot) => slots.push(slot),
      ...options.init,
    },
  );
  return {
    clock,
    client,
    outcomes,
    duties,
    signed,
    logs,
    slots,
    outcome(match, what) {
      const seen = outcomes.find(match);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          listeners.delete(listener);
          reject(new Error(`no ${what} outcome; outcomes so far: ${JSON.stringify(outcomes.map(brief))}`));
        }, 20_000);
        const listener = (o: DutyOutcome) => {
          if (!match(o)) return;
          clearTimeout(timer);
          listeners.delete(listener);
          resolve(o);
        };
        listeners.add(listener);
      });
    },
  };
}

const brief = (o: DutyOutcome) => `${o.duty}@${o.slot}:${o.status}`;

/** Stops the client, moving the clock far ahead so that the duties in flight end (late). */
export async function stopNow(h: Harness): Promise<void> {
  const stopped = h.client.stop();
  h.clock.advanceTo(h.clock.nowMs() + 3_600_000);
  await stopped;
}
