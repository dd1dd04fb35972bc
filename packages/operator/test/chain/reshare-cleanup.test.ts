// What a resharing leaves on disk once the chain moved past it, decided from the folded chain state
// (the Anvil test, ./reshare.test.ts, removes real ones): a pending directory is kept while in flight
// (the resharing the chain asks for now, this member in it; the ceremony under way; the recorded one
// not yet promoted) and removed once superseded (the request replaced by another committee, this
// member out of it, another generation recorded); a share keystore goes once a recorded resharing no
// longer seats this operator at its index.
import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createChainState } from '../../src/chain/chain-state.ts';
import { staleShareKeystores, supersededReshareDirs } from '../../src/chain/reshare-cleanup.ts';
import { reshareDir } from '../../src/chain/reshare-pending.ts';
import type { OperatorAddress } from '../../src/committee/types.ts';

const ops = ['0x01', '0x02', '0x03', '0x04', '0x05', '0x06'].map((p) => p.padEnd(42, '0') as OperatorAddress);
const share = (b: number) => new Uint8Array(48).fill(b);
const groupKey = share(9);
const name = (generation: number, committee: readonly OperatorAddress[], drawId = 1n) =>
  basename(reshareDir('/state', drawId, generation, committee));
const staging = (dir: string) => `.${dir}.dkg-1a2b3c.tmp`;

/** Validator 1 accepted with ops 0-3; ops 1 ejected, ops 4 drawn into seat 2 (not recorded yet). */
function requested() {
  const state = createChainState();
  state.drawRequested(1n, 12n, 10n);
  state.committeeDrawn(1n, ops.slice(0, 4), 13n);
  state.resultAccepted(1n, groupKey, [share(1), share(2), share(3), share(4)], 3, 20n);
  state.drawEnded(1n, 'approved', 20n);
  const next = [ops[0]!, ops[4]!, ops[2]!, ops[3]!];
  state.reshareRequested(1n, next, 2, ops[4]!, 30n);
  return { state, next };
}

describe('supersededReshareDirs', () => {
  it('keeps the resharing in flight and removes one of a replaced request, staging included', () => {
    const { state, next } = requested();
    const replaced = [ops[0]!, ops[5]!, ops[2]!, ops[3]!]; // an earlier committee of the same request
    const names = [
      name(1, next),
      staging(name(1, next)),
      name(1, replaced),
      staging(name(1, replaced)),
      name(1, [ops[0]!, ops[1]!], 7n), // a validator the chain does not show: left alone
      'notes.txt',
    ];
    const promoted = () => false;
    expect(supersededReshareDirs({ names, state, self: ops[0]!, promoted })).toEqual([
      name(1, replaced),
      staging(name(1, replaced)),
    ]);
    // the ceremony under way is never touched, whatever the chain says, nor its staging (it writes there)
    expect(
      supersededReshareDirs({ names, state, self: ops[0]!, running: name(1, replaced), promoted }),
    ).toEqual([]);
    // the replaced member is out of the new committee: none of its directories serves any more
    expect(supersededReshareDirs({ names: [name(1, next)], state, self: ops[1]!, promoted })).toEqual([
      name(1, next),
    ]);
  });

  it('keeps the recorded generation until it is promoted, then removes it', () => {
    const { state, next } = requested();
    state.reshareRecorded(1n, 1, [share(11), share(12), share(13), share(14)], 40n);
    const names = [name(1, next), name(1, [ops[0]!, ops[5]!, ops[2]!, ops[3]!])];
    const self = ops[4]!;
    expect(supersededReshareDirs({ names, state, self, promoted: () => false })).toEqual([names[1]]);
    expect(supersededReshareDirs({ names, state, self, promoted: (d, g) => d === 1n && g === 1 })).toEqual(
      names,
    );
    // generation 2 requested later: generation 1's directories are past
    state.reshareRequested(1n, [ops[0]!, ops[4]!, ops[5]!, ops[3]!], 3, ops[5]!, 50n);
    expect(supersededReshareDirs({ names: [name(1, next)], state, self, promoted: () => false })).toEqual([]); // recorded, not promoted: still the promotion's
    expect(
      supersededReshareDirs({ names: [name(2, next), name(1, next)], state, self, promoted: () => true }),
    ).toEqual([name(2, next), name(1, next)]);
  });
});

describe('staleShareKeystores', () => {
  const file = (index: number) => `keystore-${Buffer.from(groupKey).toString('hex')}-${index}.json`;
  const other = `keystore-${Buffer.from(share(8)).toString('hex')}-2.json`;
  const names = [file(1), file(2), file(3), other, 'identity.json'];

  it('keeps every share of a validator until a resharing is recorded', () => {
    const { state } = requested();
    expect(staleShareKeystores(names, state, ops[1]!)).toEqual([]);
  });

  it('after the record: the ejected operator loses its share, a kept seat keeps its own only', () => {
    const { state } = requested();
    state.reshareRecorded(1n, 1, [share(11), share(12), share(13), share(14)], 40n);
    expect(staleShareKeystores(names, state, ops[1]!)).toEqual([file(1), file(2), file(3)]);
    expect(staleShareKeystores(names, state, ops[0]!)).toEqual([file(2), file(3)]);
    expect(staleShareKeystores([file(2), other], state, ops[4]!)).toEqual([]);
  });
});
