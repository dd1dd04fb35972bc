// The partial-signature exchange of a value the duty fixes (RANDAO reveal, selection proofs, exits,
// builder registrations): every member signs its partial and broadcasts it; t partials over the
// same root are combined and the result checked once (each partial is checked only when that
// fails). One member (round 1's leader of the duty's instance) is the designated combiner: it
// broadcasts the group signature, which the others verify instead of combining, unless it does
// not come within `combinerWaitMs`.
import type { Signature } from '@diva-dvt/bls-threshold';
import { leaderOf, leaderOrder } from '@diva-dvt/consensus';
import { OperatorError } from '../errors.ts';
import type { SigningDuty } from '../signer.ts';
import {
  decodeCombinedFrame,
  decodePartialFrame,
  dutyInstanceId,
  encodeCombinedFrame,
  encodePartialFrame,
  FRAME_COMBINED,
} from './frames.ts';
import { type Session, type SessionHost, settledSignal, type ValidatorEntry } from './session.ts';

/** The validator's group signature over `signingRoot`, exchanged with its committee. */
export function exchangePartials(
  host: SessionHost,
  entry: ValidatorEntry,
  signingRoot: Uint8Array,
  duty: SigningDuty,
  combinerWaitMs: number,
): Promise<Uint8Array> {
  const { committee, share } = entry.validator;
  const { scheme } = entry;
  const id = dutyInstanceId({ ...duty, groupPublicKey: committee.groupPublicKey });
  const startedMs = host.clock.nowMs();
  const n = committee.members.length;
  const waitMs = combinerWaitMs;
  // as in `decide`: one member (round 1's leader of this instance) combines and shares the result
  const combiner = leaderOf(leaderOrder(n, id, committee.groupPublicKey.subarray(0, 32)), 1);
  const isCombiner = waitMs === 0 || combiner === share.shareIndex;
  return new Promise<Uint8Array>((resolve, reject) => {
    const partials = new Map<number, Uint8Array>();
    const unchecked = new Set<number>();
    /** Non-combiners: set once t partials are held and the wait for the combiner's result began. */
    let waiting: ReturnType<typeof setTimeout> | undefined;
    let waited = isCombiner;
    let settled = false;
    const { settled: settledPromise, markSettled } = settledSignal();
    const finish = () => {
      settled = true;
      if (waiting !== undefined) clearTimeout(waiting);
      cancelDeadline();
      markSettled();
    };
    const tryCombine = () => {
      if (settled || partials.size < committee.threshold) return;
      if (!waited) {
        waiting ??= setTimeout(() => {
          waited = true;
          tryCombine();
        }, waitMs);
        return;
      }
      const list = [...partials].map(([member, bytes]) => ({
        member,
        partial: scheme.decodePartial(bytes),
      }));
      let combined: Signature | undefined;
      try {
        combined = scheme.combine(signingRoot, list.slice(0, committee.threshold));
      } catch {
        combined = undefined;
      }
      if (combined !== undefined && scheme.verifyCombined(signingRoot, combined)) {
        finish();
        host.event({ type: 'combined', duty, latencyMs: host.clock.nowMs() - startedMs });
        const signature = scheme.encodeSignature(combined);
        if (isCombiner) {
          host.broadcast(entry, encodeCombinedFrame({ instance: id, root: signingRoot, signature }));
        }
        resolve(signature);
        return;
      }
      // Some partial is bad: check the unchecked ones, drop the invalid, wait for more.
      for (const { member, partial } of list) {
        if (!unchecked.has(member)) continue;
        unchecked.delete(member);
        if (!scheme.verifyPartial(member, signingRoot, partial)) {
          partials.delete(member);
          // Scored as unexpected, not invalid: it is also what an honest member sends in the second
          // a recorded resharing switches the committee's shares (the members switch within about a
          // second of each other, each duty's partial then fails on one side), and at 20 points two
          // validators reshared at once got honest peers banned. It costs one verification; a member
          // that keeps sending bad partials is still banned (about 14 a minute).
          host.drop(entry.addresses[member - 1]!, 'invalid-partial', 'unexpected');
        }
      }
      tryCombine();
    };
    const session: Session = {
      entry,
      duty,
      startedMs,
      deliver: (member, bytes) => {
        if (bytes[0] === FRAME_COMBINED) {
          const combined = decodeCombinedFrame(bytes);
          if (settled || combined === undefined || Buffer.compare(combined.root, signingRoot) !== 0) return;
          let signature: Signature;
          try {
            signature = scheme.decodeSignature(combined.signature);
          } catch {
            return host.drop(entry.addresses[member - 1]!, 'malformed combined signature', 'malformed');
          }
          if (!scheme.verifyCombined(signingRoot, signature)) {
            return host.drop(entry.addresses[member - 1]!, 'invalid combined signature', 'invalid');
          }
          finish();
          host.event({ type: 'combined', duty, latencyMs: host.clock.nowMs() - startedMs });
          resolve(combined.signature.slice());
          return;
        }
        const frame = decodePartialFrame(bytes);
        if (frame === undefined || frame.shareIndex !== member) {
          return host.drop(entry.addresses[member - 1]!, 'partial frame not from its sender', 'invalid');
        }
        if (Buffer.compare(frame.root, signingRoot) !== 0) {
          return host.drop(entry.addresses[member - 1]!, 'partial over another root', 'unexpected');
        }
        if (settled || partials.has(member)) return;
        try {
          scheme.decodePartial(frame.partial);
        } catch {
          return host.drop(entry.addresses[member - 1]!, 'malformed partial', 'malformed');
        }
        partials.set(member, frame.partial.slice());
        unchecked.add(member);
        tryCombine();
      },
      combinedOf: (bytes) => {
        if (settled || bytes[0] !== FRAME_COMBINED) return undefined;
        const combined = decodeCombinedFrame(bytes);
        if (combined === undefined || Buffer.compare(combined.root, signingRoot) !== 0) return undefined;
        return {
          key: `root:${Buffer.from(signingRoot).toString('hex')}`,
          signature: combined.signature,
          root: () => signingRoot,
        };
      },
      close: () => {
        if (settled) return;
        finish();
        reject(new OperatorError({ code: 'CONSENSUS_CLOSED', duty: duty.type, slot: duty.slot }));
      },
    };
    const cancelDeadline = host.deadline(duty, () => {
      if (settled) return;
      finish();
      host.event({ type: 'timeout', duty, stage: 'partials' });
      reject(
        new OperatorError({
          code: 'TOO_FEW_PARTIALS',
          duty: duty.type,
          validatorIndex: duty.validatorIndex,
          slot: duty.slot,
          received: partials.size,
          threshold: committee.threshold,
        }),
      );
    });
    const own = scheme.encodePartial(scheme.signPartial(signingRoot));
    partials.set(share.shareIndex, own);
    host.broadcast(
      entry,
      encodePartialFrame({ instance: id, root: signingRoot, shareIndex: share.shareIndex, partial: own }),
    );
    host.open(id, session, settledPromise);
    tryCombine();
  });
}
