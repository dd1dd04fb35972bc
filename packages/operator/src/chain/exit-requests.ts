// Exit requests acted on (apps/node wires it): the ExitRequests contract's `ExitRequested(drawId, pubkey, reason,
// requester)` for a validator of this operator (the chain lifecycle reports it) makes this node sign
// the voluntary exit with the validator's committee and publish it to its beacon node, the same path
// as `POST /exit`. No one coordinates the members: each member's node sees the same event and asks its
// committee signer on its own, so every member must pick the same epoch, or the partial signatures
// do not combine. The rule (`exitEpochOfRequest`): the beacon epoch that contains the timestamp of the
// execution block holding the request, 0 before genesis. It is chain data, the same for every member
// and at every restart, and never after the current epoch (the block is in the past), which the
// beacon chain requires of an exit. Slashing protection does not cover exits, so each request's
// epoch and outcome are also kept in `<dataDir>/exit-requests/<pubkey>.json` (written before
// signing): a request read again after a restart reuses the recorded epoch, and one published (or
// a validator the beacon node already shows exiting) is not signed again.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BeaconApi } from '@diva-dvt/beacon-api';
import { ssz } from '@diva-dvt/beacon-api/spec';
import type { VoluntaryExitOptions } from '../duties/voluntary-exit.ts';
import type { Logger } from '../logger.ts';
import { type DutyOutcome, dutyReason } from '../outcome.ts';

export interface RequestedExit {
  readonly drawId: bigint;
  readonly pubkey: Uint8Array;
  readonly reason: number;
  readonly requester: string;
  /** The execution block holding the request. */
  readonly blockNumber: bigint;
}

/** Beacon chain timing, as the node's validator client reads it from its beacon node. */
export interface ExitEpochTimes {
  readonly genesisTimeSec: number;
  readonly slotDurationMs: number;
  readonly slotsPerEpoch: number;
}

/** The exit epoch every member signs for a request in a block of this timestamp (see above). */
export function exitEpochOfRequest(blockTimestampSec: bigint, times: ExitEpochTimes): number {
  const sinceMs = (Number(blockTimestampSec) - times.genesisTimeSec) * 1000;
  if (sinceMs < 0) return 0;
  return Math.floor(Math.floor(sinceMs / times.slotDurationMs) / times.slotsPerEpoch);
}

/** What the data directory keeps of one request. */
export interface ExitRecord {
  readonly drawId: string;
  readonly pubkey: `0x${string}`;
  readonly requestBlock: string;
  readonly epoch: number;
  readonly status: 'pending' | 'published' | 'already-exiting';
  readonly validatorIndex?: number;
  readonly signedVoluntaryExit?: unknown;
}

export interface ExitRequestsParameters {
  /** Where the records are kept (`<dataDir>/exit-requests`). */
  readonly dir: string;
  /** The node's committee-signed exit (`OperatorNode.exit`). */
  exit(validatorIndex: number, options: VoluntaryExitOptions): Promise<DutyOutcome>;
  /** Undefined until the validator client has read the spec from its beacon node. */
  times(): ExitEpochTimes | undefined;
  blockTimestampSec(blockNumber: bigint): Promise<bigint>;
  /** The validator on the beacon chain: its index and whether an exit is already under way. */
  validatorOf(pubkey: Uint8Array): Promise<{ readonly index: number; readonly exiting: boolean } | undefined>;
  readonly logger: Logger;
  /** Between two tries of a request not yet published (default 30 s). */
  readonly retryMs?: number;
}

const hexOf = (b: Uint8Array): `0x${string}` => `0x${Buffer.from(b).toString('hex')}`;

export class ExitRequests {
  readonly #p: ExitRequestsParameters;
  /** The try under way per validator: a request seen again meanwhile (a replay) adds nothing. */
  readonly #work = new Map<string, Promise<void>>();
  /** The next try per validator, when the last one left something to do. */
  readonly #retries = new Map<string, ReturnType<typeof setTimeout>>();
  #stopped = false;

  constructor(parameters: ExitRequestsParameters) {
    this.#p = parameters;
  }

  /** Acts on a request (again after `retryMs` until it is published or the validator exits). */
  handle(event: RequestedExit): void {
    const key = hexOf(event.pubkey);
    if (this.#stopped || this.#work.has(key)) return;
    const work = this.#try(event)
      .catch((error: unknown) => {
        this.#p.logger.warn('exit request not acted on yet; tried again later', {
          drawId: event.drawId.toString(),
          error: error instanceof Error ? error.message : String(error),
        });
        return false;
      })
      .then((done) => {
        this.#work.delete(key);
        if (!done) this.#later(key, event);
      });
    this.#work.set(key, work);
  }

  /** Resolves when no try is under way (retries may be scheduled), for tests and a clean stop. */
  async settled(): Promise<void> {
    while (this.#work.size > 0) await Promise.all([...this.#work.values()]);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    for (const t of this.#retries.values()) clearTimeout(t);
    this.#retries.clear();
    await this.settled();
  }

  #later(key: string, event: RequestedExit): void {
    if (this.#stopped || this.#retries.has(key)) return;
    const timer = setTimeout(() => {
      this.#retries.delete(key);
      this.handle(event);
    }, this.#p.retryMs ?? 30_000);
    timer.unref?.();
    this.#retries.set(key, timer);
  }

  /** One try; true when nothing is left to do. */
  async #try(event: RequestedExit): Promise<boolean> {
    if (this.#stopped) return true;
    const pubkey = hexOf(event.pubkey);
    const where = { drawId: event.drawId.toString(), pubkey };
    const known = await this.#read(pubkey);
    if (known !== undefined && known.status !== 'pending') return true;
    const times = this.#p.times();
    if (times === undefined) return false; // the validator client is not started yet
    const validator = await this.#p.validatorOf(event.pubkey);
    if (validator === undefined) {
      this.#p.logger.warn('exit requested for a validator the beacon node does not know yet', where);
      return false;
    }
    const epoch =
      known?.epoch ?? exitEpochOfRequest(await this.#p.blockTimestampSec(event.blockNumber), times);
    const record: ExitRecord = {
      drawId: event.drawId.toString(),
      pubkey,
      requestBlock: event.blockNumber.toString(),
      epoch,
      status: 'pending',
      validatorIndex: validator.index,
    };
    if (validator.exiting) {
      await this.#write({ ...record, status: 'already-exiting' });
      this.#p.logger.info('exit requested for a validator already exiting: nothing to sign', where);
      return true;
    }
    if (known === undefined) await this.#write(record);
    this.#p.logger.info('exit requested on chain: signing the voluntary exit with the committee', {
      ...where,
      validatorIndex: validator.index,
      epoch,
      reason: event.reason,
    });
    const outcome = await this.#p.exit(validator.index, { epoch, publish: true });
    if (outcome.status === 'published' && outcome.duty === 'voluntary-exit') {
      await this.#write({
        ...record,
        status: 'published',
        signedVoluntaryExit: ssz.phase0.SignedVoluntaryExit.toJson(outcome.message),
      });
      this.#p.logger.info('voluntary exit published', { ...where, validatorIndex: validator.index, epoch });
      return true;
    }
    const detail = outcome.status === 'failed' ? outcome.error.message : outcome.status;
    this.#p.logger.warn('voluntary exit not published; tried again later', {
      ...where,
      epoch,
      reason: `${dutyReason(outcome)}: ${detail}`,
    });
    return false;
  }

  async #read(pubkey: string): Promise<ExitRecord | undefined> {
    try {
      return JSON.parse(await readFile(join(this.#p.dir, `${pubkey}.json`), 'utf8')) as ExitRecord;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async #write(record: ExitRecord): Promise<void> {
    await mkdir(this.#p.dir, { recursive: true });
    const file = join(this.#p.dir, `${record.pubkey}.json`);
    const tmp = `${file}.tmp-${process.pid}`;
    await writeFile(tmp, `${JSON.stringify(record, null, 2)}\n`);
    await rename(tmp, file);
  }
}

/**
 * The validator as the beacon node's head state has it: its index, and whether an exit is already
 * under way (a pending validator cannot exit yet: the beacon node refuses, and the request is tried
 * again; past `active_ongoing` it is exiting, exited or slashed).
 */
export function beaconExitStatus(api: BeaconApi): ExitRequestsParameters['validatorOf'] {
  return async (pubkey) => {
    const found = (await api.getStateValidators({ stateId: 'head', ids: [hexOf(pubkey)] })).data[0];
    if (found === undefined) return undefined;
    return {
      index: found.index,
      exiting: !found.status.startsWith('pending') && found.status !== 'active_ongoing',
    };
  };
}
