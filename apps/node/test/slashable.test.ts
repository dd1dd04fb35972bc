// The devnet's independent check of EIP-3076 exports: each kind of slashable pair is found, and the
// records an honest signer leaves (one per slot and target, nested by neither) are not.
import { describe, expect, it } from 'vitest';
import { slashablePairs } from '../src/devnet/slashable.ts';

const KEY = `0x${'aa'.repeat(48)}`;
const root = (n: number) => `0x${n.toString(16).padStart(64, '0')}`;
const file = (blocks: object[], attestations: object[]) => ({
  metadata: { interchange_format_version: '5', genesis_validators_root: root(0) },
  data: [{ pubkey: KEY, signed_blocks: blocks, signed_attestations: attestations }],
});
const att = (source: number, target: number, r?: number) => ({
  source_epoch: String(source),
  target_epoch: String(target),
  ...(r === undefined ? {} : { signing_root: root(r) }),
});

describe('slashable pairs in an interchange file', () => {
  it('none in an honest history (the same data signed twice is no pair)', () => {
    const honest = file(
      [
        { slot: '5', signing_root: root(1) },
        { slot: '5', signing_root: root(1) },
        { slot: '9', signing_root: root(2) },
      ],
      [att(0, 1, 3), att(1, 2, 4), att(1, 2, 4), att(2, 3, 5), att(3, 5, 6)],
    );
    expect(slashablePairs(honest)).toEqual([]);
    expect(slashablePairs({})).toEqual([]);
  });

  it('finds a double proposal, a double vote and a surround vote, each by kind', () => {
    const pairs = slashablePairs(
      file(
        [
          { slot: '5', signing_root: root(1) },
          { slot: '5', signing_root: root(2) },
        ],
        [att(1, 2, 3), att(1, 2, 4), att(2, 6, 5), att(3, 4, 6)],
      ),
    );
    expect(pairs.map((p) => p.kind).sort()).toEqual(['double-proposal', 'double-vote', 'surround-vote']);
    expect(pairs.every((p) => p.pubkey === KEY)).toBe(true);
  });

  it('takes a record without a signing root as different', () => {
    expect(slashablePairs(file([], [att(1, 2), att(1, 2, 3)])).map((p) => p.kind)).toEqual(['double-vote']);
  });
});
