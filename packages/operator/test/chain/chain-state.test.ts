// The fold of contract events (no chain here: the Anvil test drives the real one). An operator's p2p
// identity is the secp256k1 peer id in its registered multiaddrs, and only if it is the key of the
// registered address; a replaced member joins a validator's committee only when the resharing that gives
// it a share is recorded.
import { generateKeyPair } from '@libp2p/crypto/keys';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { describe, expect, it } from 'vitest';
import { createChainState, peerOfRegistration } from '../../src/chain/chain-state.ts';
import { pendingReshares } from '../../src/chain/reshare-pending.ts';
import type { OperatorAddress } from '../../src/committee/types.ts';
import { operatorAddressOf, peerIdOfPublicKey, publicKeyOf } from '../../src/p2p/identity.ts';
import { operatorKey } from '../helpers/p2p.ts';

const key = operatorKey('chain state');
const address = operatorAddressOf(publicKeyOf(key));
const peerId = peerIdOfPublicKey(publicKeyOf(key)).toString();
const share = (b: number) => new Uint8Array(48).fill(b);
const ops = ['0x01', '0x02', '0x03', '0x04', '0x05'].map((p) => p.padEnd(42, '0') as OperatorAddress);

describe('peerOfRegistration', () => {
  it('reads the secp256k1 key of /p2p/<peer id> when it is the operator address', () => {
    const peer = peerOfRegistration(address, [
      `/ip4/10.0.0.1/tcp/9000/p2p/${peerId}`,
      '/ip4/10.0.0.2/tcp/9000',
    ]);
    expect(typeof peer).toBe('object');
    expect(peer).toMatchObject({ address, multiaddrs: [`/ip4/10.0.0.1/tcp/9000/p2p/${peerId}`] });
    expect(Buffer.from((peer as { publicKey: Uint8Array }).publicKey)).toEqual(Buffer.from(publicKeyOf(key)));
  });

  it('refuses no peer id, another address, an ed25519 peer id and garbage (with the reason)', async () => {
    expect(peerOfRegistration(address, ['/ip4/10.0.0.1/tcp/9000'])).toMatch(/no multiaddr names/);
    expect(peerOfRegistration(ops[0]!, [`/ip4/10.0.0.1/tcp/9000/p2p/${peerId}`])).toMatch(/another address/);
    const ed = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString();
    expect(peerOfRegistration(address, [`/ip4/10.0.0.1/tcp/9000/p2p/${ed}`])).toMatch(/not a secp256k1/);
    expect(peerOfRegistration(address, ['not a multiaddr'])).toMatch(/not a multiaddr/);
  });
});

describe('createChainState', () => {
  it('follows a draw to a validator, and a replacement only once its resharing is recorded', () => {
    const state = createChainState();
    state.drawRequested(1n, 12n, 10n);
    expect(state.draw(1n)).toMatchObject({ status: 'requested', targetBlock: 12n, round: 0 });
    state.committeeDrawn(1n, ops.slice(0, 4), 13n);
    state.drawEnded(1n, 'expired', 20n);
    state.drawRequested(1n, 23n, 21n);
    state.committeeDrawn(1n, ops.slice(0, 4), 24n);
    expect(state.draw(1n)).toMatchObject({ status: 'drawn', drawnAtBlock: 24n, round: 2 });
    state.resultAccepted(1n, share(9), [share(1), share(2), share(3), share(4)], 3, 30n);
    state.drawEnded(1n, 'approved', 30n);
    expect(state.validator(1n)!.members.map((m) => [m.operator, m.shareIndex])).toEqual(
      ops.slice(0, 4).map((o, i) => [o, i + 1]),
    );
    // Member 2 ejected and replaced by operator 5: the committee changes at once, the validator's
    // members only when the new shares are recorded.
    const replaced = [ops[0]!, ops[4]!, ops[2]!, ops[3]!];
    const events = state.reshareRequested(1n, replaced, 2, ops[4]!, 40n);
    expect(events).toEqual([
      {
        type: 'reshare-requested',
        drawId: 1n,
        committee: replaced,
        shareIndex: 2,
        replacement: ops[4],
        blockNumber: 40n,
      },
    ]);
    expect(state.draw(1n)!.committee).toEqual(replaced);
    expect(state.validator(1n)!.members[1]!.operator).toBe(ops[1]);
    state.reshareRecorded(1n, 1, [share(5), share(6), share(7), share(8)], 45n);
    expect(state.validator(1n)!.members.map((m) => m.operator)).toEqual(replaced);
    expect(state.validator(1n)!.members[1]!.publicShare).toEqual(share(6));
    expect(state.validator(1n)!.generation).toBe(1);
  });

  it('reads a request naming the seat holder, committee unchanged, as a lost share to regenerate', () => {
    const state = createChainState();
    const committee = ops.slice(0, 4);
    state.committeeDrawn(1n, committee, 5n);
    state.resultAccepted(1n, share(9), [share(1), share(2), share(3), share(4)], 3, 6n);
    state.drawEnded(1n, 'approved', 6n);
    expect(pendingReshares(state, ops[0]!)).toEqual([]);
    // Member 3 asks for a new share of its seat: a resharing, the others deal, it only receives.
    state.reshareRequested(1n, committee, 3, ops[2]!, 10n);
    expect(state.draw(1n)!.regenerating).toEqual([ops[2]]);
    const [pending] = pendingReshares(state, ops[2]!);
    expect(pending).toMatchObject({ committee, generation: 1, dealers: [ops[0], ops[1], ops[3]] });
    expect(pendingReshares(state, ops[4]!)).toEqual([]);
    // Recorded: every seat has a share of generation 1, nothing is pending.
    state.reshareRecorded(1n, 1, [share(5), share(6), share(7), share(8)], 15n);
    expect(state.draw(1n)!.regenerating).toBeUndefined();
    expect(pendingReshares(state, ops[2]!)).toEqual([]);
    // A replacement (the committee changes) is not a regeneration, even at the replaced seat.
    const replaced = [ops[0]!, ops[1]!, ops[4]!, ops[3]!];
    state.reshareRequested(1n, replaced, 3, ops[4]!, 20n);
    expect(state.draw(1n)!.regenerating).toBeUndefined();
    expect(pendingReshares(state, ops[4]!)[0]!.dealers).toEqual([ops[0], ops[1], ops[3]]);
  });

  it('leaves out a result whose share count is not the committee size', () => {
    const state = createChainState();
    state.committeeDrawn(3n, ops.slice(0, 4), 5n);
    expect(state.resultAccepted(3n, share(9), [share(1)], 3, 6n)).toEqual([]);
    expect(state.validators()).toEqual([]);
  });
});
