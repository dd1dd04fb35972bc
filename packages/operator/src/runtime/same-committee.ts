// Whether a validator handed to the committee signer again is served as before (its entry and
// running instances kept) or changed by a resharing (a new entry).
import type { SignerValidator } from './session.ts';

const sameBytes = (a: Uint8Array, b: Uint8Array) =>
  a === b || (a.length === b.length && a.every((x, i) => x === b[i]));

/**
 * Whether two descriptions of a validator serve it the same way (same key, members, shares). Runs
 * for every validator on every `setValidators`: the node mostly hands over the same objects (the
 * chain's committee snapshots reuse the chain state's key and member list), so identity decides
 * first and the fields, byte by byte without building any key, only for what is a new object.
 */
export function sameCommittee(a: SignerValidator, b: SignerValidator): boolean {
  if (a === b) return true;
  // a share loaded again (a new keystore after a resharing) is a new object
  if (a.share !== b.share) return false;
  const x = a.committee;
  const y = b.committee;
  if (x === y) return true;
  if (x.threshold !== y.threshold || !sameBytes(x.groupPublicKey, y.groupPublicKey)) return false;
  if (x.members === y.members) return true;
  return (
    x.members.length === y.members.length &&
    x.members.every((m, i) => {
      const n = y.members[i]!;
      return (
        m === n ||
        (m.operator === n.operator &&
          m.shareIndex === n.shareIndex &&
          sameBytes(m.publicShare, n.publicShare))
      );
    })
  );
}
