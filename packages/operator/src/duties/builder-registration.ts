// Builder (MEV-boost) registrations (builder-specs "Validator registration"): once per epoch, for
// each validator with a fee recipient and gas limit, sign ValidatorRegistrationV1 under
// DOMAIN_APPLICATION_BUILDER (GENESIS_FORK_VERSION, zero genesis validators root) and send them all
// in one `registerValidator` call. The registration is fixed by the configuration, so it needs only
// the partial-signature exchange — provided every member signs the same bytes, which needs a
// timestamp every member computes identically: the start of the epoch (genesis time + epoch ×
// slots per epoch × slot duration, in seconds). It increases each epoch, as relays require of a
// newer registration, and is never in the future. Deadline: the end of the epoch.
import type { CallOptions } from '@diva-dvt/beacon-api';
import type { SignedValidatorRegistrationV1, ValidatorRegistrationV1 } from '@diva-dvt/beacon-api/spec';
import { builderRegistrationSigningRoot } from '@diva-dvt/beacon-api/spec';
import { OperatorError } from '../errors.ts';
import * as step from '../internal/duty.ts';
import type { DutyOutcome, EpochDuties } from '../outcome.ts';

export interface BuilderRegistrationEntry {
  readonly validatorIndex: number;
  /** The validator's (group) public key, 48 bytes. */
  readonly pubkey: Uint8Array;
  /** 20 bytes. */
  readonly feeRecipient: Uint8Array;
  readonly gasLimit: number;
}

/** The registration timestamp of `epoch` (unix seconds): the epoch's start, the same on every member. */
export function registrationTimestampSec(ctx: step.DutyContext, epoch: number): number {
  return Math.floor(ctx.times.slotStartMs(ctx.times.firstSlotOf(epoch)) / 1000);
}

/** Signs and sends the registrations of `epoch`; one outcome per entry. */
export async function registerWithBuilders(
  ctx: step.DutyContext,
  epoch: number,
  entries: readonly BuilderRegistrationEntry[],
): Promise<DutyOutcome[]> {
  const slot = ctx.times.firstSlotOf(epoch);
  const timestamp = registrationTimestampSec(ctx, epoch);
  const signedEntries = await Promise.all(
    entries.map(async (e) => {
      const t: step.DutyTarget<'builder-registration'> = {
        duty: 'builder-registration',
        validatorIndex: e.validatorIndex,
        slot,
        dueMs: ctx.times.slotStartMs(slot),
        deadlineMs: ctx.times.slotStartMs(ctx.times.firstSlotOf(epoch + 1)),
      };
      const message: ValidatorRegistrationV1 = {
        feeRecipient: e.feeRecipient,
        gasLimit: e.gasLimit,
        timestamp,
        pubkey: e.pubkey,
      };
      try {
        const root = builderRegistrationSigningRoot(ctx.signing.genesisForkVersion, message);
        const signature = await step.sign(ctx, t, 'builder-registration', root);
        return { t, signed: { message, signature } as SignedValidatorRegistrationV1 };
      } catch (err) {
        if (err instanceof step.DutyEnd) return { t, outcome: err.outcome };
        throw err;
      }
    }),
  );
  const signed = signedEntries.flatMap((e) => (e.signed !== undefined ? [e.signed] : []));
  // one request for all of them: the first entry to publish sends it, the others wait for it
  let batch: Promise<void> | undefined;
  const send = (opts: CallOptions) => {
    batch ??= ctx.api.registerValidator({ data: signed }, opts);
    return batch;
  };
  return Promise.all(
    signedEntries.map((e) =>
      e.signed === undefined
        ? e.outcome
        : step.settle(() => step.publish(ctx, e.t, 'builder-registration', e.signed, send)),
    ),
  );
}

/** A validator's fee recipient and gas limit (every member of its committee must configure the same). */
export interface ProposerSetting {
  readonly validatorIndex: number;
  /** 20 bytes: where execution-layer rewards of its blocks go. */
  readonly feeRecipient: Uint8Array;
  /** The gas limit registered with builders. */
  readonly gasLimit: number;
}

/**
 * The registrations of an epoch: validators with a proposer setting and an attester duty, whose
 * public key it carries (a validator without one is not active, so proposes nothing to register for).
 */
export function registrationEntries(
  duties: readonly EpochDuties[],
  settings: ReadonlyMap<number, ProposerSetting>,
): BuilderRegistrationEntry[] {
  return duties.flatMap(({ validatorIndex, attester }) => {
    const setting = settings.get(validatorIndex);
    return setting === undefined || attester === undefined ? [] : [{ ...setting, pubkey: attester.pubkey }];
  });
}

/** Checks `proposerSettings` (ValidatorClientInit): throws INVALID_OPTION naming the bad entry. */
export function checkProposerSettings(settings: readonly ProposerSetting[]): void {
  const seen = new Set<number>();
  settings.forEach((s, i) => {
    const bad = (field: string, reason: string) =>
      new OperatorError({ code: 'INVALID_OPTION', option: `proposerSettings[${i}].${field}`, reason });
    if (!Number.isSafeInteger(s.validatorIndex) || s.validatorIndex < 0) {
      throw bad('validatorIndex', 'expected a validator index (a non-negative integer)');
    }
    if (seen.has(s.validatorIndex)) throw bad('validatorIndex', `validator ${s.validatorIndex} listed twice`);
    seen.add(s.validatorIndex);
    if (!(s.feeRecipient instanceof Uint8Array) || s.feeRecipient.length !== 20) {
      throw bad('feeRecipient', 'expected 20 bytes');
    }
    if (!Number.isSafeInteger(s.gasLimit) || s.gasLimit <= 0)
      throw bad('gasLimit', 'expected a positive integer');
  });
}

/** A validator client's registrations: its settings, and the epochs already registered. */
/**
 * A validator client's proposer settings per epoch: the first time a slot of an epoch runs (also
 * mid-epoch, after a start) the node is told each configured validator's fee recipient
 * (`prepareBeaconProposer`, for blocks it builds itself; a failure is only logged) and, when
 * enabled, the epoch's builder registrations go out.
 */
export class ProposerSettings {
  readonly #settings: ReadonlyMap<number, ProposerSetting>;
  readonly #fallback: Omit<ProposerSetting, 'validatorIndex'> | undefined;
  readonly #registrations: boolean;
  readonly #started = new Set<number>();

  /**
   * Checks the settings (INVALID_OPTION). `fallback`: the setting of every validator not listed
   * (in Diva: the protocol's execution-layer rewards vault for all).
   */
  constructor(
    settings: readonly ProposerSetting[],
    builderRegistrations: boolean,
    fallback?: Omit<ProposerSetting, 'validatorIndex'>,
  ) {
    checkProposerSettings(settings);
    if (fallback !== undefined) {
      const bad = (field: string, reason: string) =>
        new OperatorError({ code: 'INVALID_OPTION', option: `defaultProposerSetting.${field}`, reason });
      if (!(fallback.feeRecipient instanceof Uint8Array) || fallback.feeRecipient.length !== 20)
        throw bad('feeRecipient', 'expected 20 bytes');
      if (!Number.isSafeInteger(fallback.gasLimit) || fallback.gasLimit <= 0)
        throw bad('gasLimit', 'expected a positive integer');
    }
    this.#settings = new Map(settings.map((p) => [p.validatorIndex, p]));
    this.#fallback = fallback;
    this.#registrations = builderRegistrations;
  }

  #settingOf(validatorIndex: number): ProposerSetting | undefined {
    const listed = this.#settings.get(validatorIndex);
    if (listed !== undefined || this.#fallback === undefined) return listed;
    return { validatorIndex, ...this.#fallback };
  }

  feeRecipientOf(validatorIndex: number): Uint8Array | undefined {
    return this.#settingOf(validatorIndex)?.feeRecipient;
  }

  /** The epoch's registrations the first time one of its slots runs; undefined otherwise or with none. */
  ofSlot(
    ctx: step.DutyContext,
    duties: readonly EpochDuties[],
    slot: number,
  ): Promise<DutyOutcome[]> | undefined {
    const epoch = ctx.times.epochOf(slot);
    if ((this.#settings.size === 0 && this.#fallback === undefined) || this.#started.has(epoch))
      return undefined;
    this.#started.add(epoch);
    for (const e of this.#started) if (e < epoch) this.#started.delete(e);
    const data = duties.flatMap(({ validatorIndex }) => {
      const feeRecipient = this.feeRecipientOf(validatorIndex);
      return feeRecipient === undefined ? [] : [{ validatorIndex, feeRecipient }];
    });
    if (data.length > 0) {
      ctx.api.prepareBeaconProposer({ data }, { timeoutMs: ctx.spec.slotDurationMs }).catch((e: unknown) =>
        ctx.logger.warn('proposer preparation failed', {
          epoch,
          error: e instanceof Error ? e.message : String(e),
        }),
      );
    }
    if (!this.#registrations) return undefined;
    const settings = new Map<number, ProposerSetting>();
    for (const { validatorIndex } of duties) {
      const setting = this.#settingOf(validatorIndex);
      if (setting !== undefined) settings.set(validatorIndex, setting);
    }
    const entries = registrationEntries(duties, settings);
    return entries.length === 0 ? undefined : registerWithBuilders(ctx, epoch, entries);
  }
}
