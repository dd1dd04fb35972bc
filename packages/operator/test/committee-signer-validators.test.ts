// `CommitteeSigner.setValidators` runs on every committee snapshot the node applies, for every
// validator: a validator whose committee and share are unchanged keeps its entry. It used to build a
// hex string key of each committee (both sides) for that; now identity decides first and the fields
// are compared byte by byte only for new objects. Counted: no hex conversion for unchanged
// committees, whether the node hands over the same objects or copies; a changed committee is still
// taken as new (checked anew: one with two shares swapped, or another threshold, is refused), and the members still sign after re-sets.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadRuntimeBls } from '../src/runtime/bls.ts';
import type { CommitteeSigner } from '../src/runtime/committee-signer.ts';
import type { SignerValidator } from '../src/runtime/session.ts';
import { createOperators, createSigner, createValidator } from './helpers/committee.ts';
import { createMemoryHub } from './helpers/memory-network.ts';

const { bls } = await loadRuntimeBls();
const signers: CommitteeSigner[] = [];
afterEach(() => {
  for (const s of signers.splice(0)) s.stop();
  vi.restoreAllMocks();
});

describe('CommitteeSigner.setValidators', () => {
  it('keeps unchanged committees without building keys, takes changed ones as new, and still signs', async () => {
    const operators = createOperators(4, 5);
    const validators = Array.from({ length: 20 }, (_, i) => createValidator(100 + i, operators, 3));
    const hub = createMemoryHub();
    const members = operators.map((o) => createSigner(bls, o, operators, validators, hub.network(o.address)));
    signers.push(...members);
    const self = operators[0]!.address;
    const served: SignerValidator[] = validators.map((v) => ({
      validatorIndex: v.validatorIndex,
      committee: v.committee,
      share: v.shares.get(self)!,
    }));
    const hexConversions = vi.spyOn(Buffer.prototype, 'toString');
    const hexCount = () => hexConversions.mock.calls.filter(([encoding]) => encoding === 'hex').length;

    // the same objects; new descriptions of the same committees; copies down to the bytes
    members[0]!.setValidators(served);
    members[0]!.setValidators(served.map((v) => ({ ...v, committee: { ...v.committee } })));
    members[0]!.setValidators(
      served.map((v) => ({
        ...v,
        committee: {
          ...v.committee,
          groupPublicKey: v.committee.groupPublicKey.slice(),
          members: v.committee.members.map((m) => ({ ...m, publicShare: m.publicShare.slice() })),
        },
      })),
    );
    expect(hexCount()).toBe(0);

    // a changed committee is a new entry, checked again: two members' shares swapped are refused
    const broken = served.map((v, i) =>
      i === 7
        ? {
            ...v,
            committee: {
              ...v.committee,
              members: v.committee.members.map((m, j) => ({
                ...m,
                shareIndex: j === 1 ? 3 : j === 2 ? 2 : m.shareIndex,
              })),
            },
          }
        : v,
    );
    expect(() => members[0]!.setValidators(broken)).toThrow(/GROUP_KEY_MISMATCH/);
    const otherThreshold = served.map((v, i) =>
      i === 3 ? { ...v, committee: { ...v.committee, threshold: 2 } } : v,
    );
    expect(() => members[0]!.setValidators(otherThreshold)).toThrow(/GROUP_KEY_MISMATCH/);
    members[0]!.setValidators(served);
    vi.restoreAllMocks();

    const root = new Uint8Array(32).fill(3);
    const duty = {
      type: 'randao-reveal' as const,
      validatorIndex: 105,
      slot: 12,
      deadlineMs: Date.now() + 5_000,
    };
    const signatures = await Promise.all(members.map((m) => m.sign(root, duty)));
    const group = bls.publicKeyFromBytes(validators[5]!.committee.groupPublicKey);
    for (const s of signatures) expect(bls.verify(group, root, bls.signatureFromBytes(s))).toBe(true);
  });
});
