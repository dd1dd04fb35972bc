// The consensus `SignGuard`s of the runtime, on the slashing-protection database: before this
// member's partial signature leaves the process, the guard records durably what Ethereum slashes —
// (validator, target epoch, source epoch) for attestations, (validator, slot) for blocks — so a duty
// re-run under a new consensus instance id is refused as well. Duties that Ethereum does not slash
// (aggregates, sync committee messages and contributions) still get a durable guard: one root per
// consensus instance, because the guard is consensus's safety rule (two roots signed in one
// instance could both gather t partials, and are self-verifying evidence against this operator).
// Every guard's records of one macrotask share one transaction: one fsync for all the validators
// of a slot.
import type { AttestationData } from '@diva-dvt/beacon-api/spec';
import type { SignGuard, SignRequest } from '@diva-dvt/consensus';
import { OperatorError } from './errors.ts';
import {
  checkAttestation,
  checkBlock,
  checkBytes,
  checkUint,
  recordAttestation,
  recordBlock,
  sameBytes,
} from './slashing/rules.ts';
import type { SqliteFile } from './slashing/sqlite-file.ts';
import type { BlockSigningRequest, SlashingCheckResult, SlashingRefusalReason } from './slashing/types.ts';
import { hostedFile, type SlashingProtection } from './slashing-protection.ts';

/** Why a sign guard refused. */
export type SignGuardRefusalReason =
  | SlashingRefusalReason
  /** The instance guard: this consensus instance already signed another root. */
  | 'OTHER_ROOT_SIGNED'
  /** The request could not be checked (a malformed value, the database closed or failing): see `cause`. */
  | 'GUARD_FAILED';

/** What a guard tells `onRefused`: the runtime logs it as `slashing-protection-refused`. */
export interface SignGuardRefusal {
  readonly reason: SignGuardRefusalReason;
  /** The consensus instance that asked. */
  readonly instance: Uint8Array;
  /** The signing root it was refused. */
  readonly root: Uint8Array;
  /** With `GUARD_FAILED`: the error (an `OperatorError`). */
  readonly cause?: unknown;
}

export interface SignGuardOptions {
  /** Called once per refusal (a callback that throws does not change the answer). */
  readonly onRefused?: (refusal: SignGuardRefusal) => void;
}

export interface BlockGuardOptions<V> extends SignGuardOptions {
  /** The slot of a block value, for values without a `slot` field of their own (e.g. block contents). */
  readonly slotOf: (value: V) => number;
}

/** The instance guard: one root per consensus instance, with pruning of old instances' records. */
export interface InstanceSignGuard<V = unknown> extends SignGuard<V> {
  allow(request: SignRequest<V>): Promise<boolean>;
  /** Deletes the records of instances first recorded before `recordedBeforeMs` (unix ms); answers how many. */
  prune(recordedBeforeMs: number): Promise<number>;
}

export interface InstanceGuardOptions extends SignGuardOptions {
  /** The time recorded with each root, for `prune` (unix ms; default `Date.now`). */
  readonly now?: () => number;
}

const SIGNED_ROOTS_SCHEMA = `
CREATE TABLE IF NOT EXISTS signed_roots (
  instance BLOB PRIMARY KEY,
  root BLOB NOT NULL,
  recorded_at_ms INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS signed_roots_by_time ON signed_roots (recorded_at_ms);
`;

type Outcome = SlashingCheckResult | { readonly allowed: false; readonly reason: 'OTHER_ROOT_SIGNED' };

/**
 * Checks the request (`check` throws for bad input, which must not fail a whole batch), runs
 * `record` in the file's next batched transaction and answers whether the partial may leave; every
 * way of not allowing (refusal, bad input, a closed or failing database) goes to `onRefused`.
 */
function guarded<V>(
  protection: SlashingProtection,
  request: SignRequest<V>,
  options: SignGuardOptions,
  check: () => void,
  record: (file: SqliteFile) => Outcome,
): Promise<boolean> {
  const refuse = (reason: SignGuardRefusalReason, cause?: unknown): false => {
    try {
      options.onRefused?.({
        reason,
        instance: request.instance,
        root: request.root,
        ...(cause === undefined ? {} : { cause }),
      });
    } catch {
      // A failing logger must not turn a refusal into anything else.
    }
    return false;
  };
  let file: SqliteFile;
  try {
    check();
    file = protection[hostedFile]();
  } catch (cause) {
    return Promise.resolve(refuse('GUARD_FAILED', cause));
  }
  return file
    .batched(() => record(file))
    .then(
      (outcome) => outcome.allowed || refuse(outcome.reason),
      (cause: unknown) => refuse('GUARD_FAILED', cause),
    );
}

/**
 * The sign guard of one validator's attestation duties: allows a root iff the slashing database
 * allows (and has durably recorded) the attestation `(source.epoch, target.epoch, root)`.
 */
export function createAttestationGuard(
  protection: SlashingProtection,
  validatorPubkey: Uint8Array,
  options: SignGuardOptions = {},
): SignGuard<AttestationData> {
  const pubkey = Uint8Array.from(checkBytes(validatorPubkey, 48, 'validatorPubkey'));
  return {
    allow(request) {
      const attestation = {
        pubkey,
        sourceEpoch: request.value?.source?.epoch,
        targetEpoch: request.value?.target?.epoch,
        signingRoot: request.root,
      };
      return guarded(
        protection,
        request,
        options,
        () => checkAttestation(attestation, 'request.'),
        (file) => recordAttestation(file, attestation),
      );
    },
  };
}

/**
 * The sign guard of one validator's block proposals (full or blinded): allows a root iff the
 * slashing database allows (and has durably recorded) the block `(slotOf(value), root)`.
 */
export function createBlockGuard<V extends { readonly slot: number }>(
  protection: SlashingProtection,
  validatorPubkey: Uint8Array,
  options?: SignGuardOptions,
): SignGuard<V>;
export function createBlockGuard<V>(
  protection: SlashingProtection,
  validatorPubkey: Uint8Array,
  options: BlockGuardOptions<V>,
): SignGuard<V>;
export function createBlockGuard<V>(
  protection: SlashingProtection,
  validatorPubkey: Uint8Array,
  options: SignGuardOptions & { readonly slotOf?: (value: V) => number } = {},
): SignGuard<V> {
  const pubkey = Uint8Array.from(checkBytes(validatorPubkey, 48, 'validatorPubkey'));
  const slotOf = options.slotOf ?? ((value: V) => (value as { readonly slot: number }).slot);
  return {
    allow(request) {
      let block: BlockSigningRequest | undefined;
      return guarded(
        protection,
        request,
        options,
        () => {
          block = { pubkey, slot: slotOf(request.value), signingRoot: request.root };
          checkBlock(block, 'request.');
        },
        (file) => recordBlock(file, block as BlockSigningRequest),
      );
    },
  };
}

/**
 * The sign guard of duties Ethereum does not slash (aggregates, sync committee messages and
 * contributions): one root per consensus instance, recorded durably, so a restarted member never
 * signs a second root in an instance. A re-run under a new instance id may sign another root (two
 * aggregates of a slot are not slashable). One guard serves every validator and duty. Its table is
 * created now: `protection` must be open (else SLASHING_DB_CLOSED).
 */
export function createInstanceGuard<V = unknown>(
  protection: SlashingProtection,
  options: InstanceGuardOptions = {},
): InstanceSignGuard<V> {
  const now = options.now ?? Date.now;
  protection[hostedFile]().exec('createInstanceGuard', SIGNED_ROOTS_SCHEMA);
  return {
    allow(request) {
      const { instance, root } = request;
      return guarded(
        protection,
        request,
        options,
        () => {
          if (!(instance instanceof Uint8Array) || instance.length === 0) {
            throw new OperatorError({
              code: 'INVALID_SLASHING_INPUT',
              field: 'request.instance',
              reason: 'expected a non-empty byte array',
            });
          }
          checkBytes(root, 32, 'request.root');
        },
        (file): Outcome => {
          const held = file.prepare('SELECT root FROM signed_roots WHERE instance = ?').get(instance) as
            | { root: Uint8Array }
            | undefined;
          if (held !== undefined) {
            return sameBytes(held.root, root)
              ? { allowed: true, repeat: true }
              : { allowed: false, reason: 'OTHER_ROOT_SIGNED' };
          }
          file
            .prepare('INSERT INTO signed_roots (instance, root, recorded_at_ms) VALUES (?, ?, ?)')
            .run(instance, root, now());
          return { allowed: true, repeat: false };
        },
      );
    },
    async prune(recordedBeforeMs) {
      checkUint(recordedBeforeMs, 'recordedBeforeMs');
      const file = protection[hostedFile]();
      return file.transaction('pruneSignedRoots', () =>
        Number(
          file.prepare('DELETE FROM signed_roots WHERE recorded_at_ms < ?').run(recordedBeforeMs).changes,
        ),
      );
    },
  };
}
