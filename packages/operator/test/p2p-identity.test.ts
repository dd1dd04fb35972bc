// An operator's identity: the Ethereum address of its secp256k1 key (keccak256 of the uncompressed
// public key without 0x04, last 20 bytes) and the libp2p peer id of the same key.

import { privateKeyFromRaw } from '@libp2p/crypto/keys';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { describe, expect, it } from 'vitest';
import { createP2pNetwork, isOperatorError, operatorAddressOf, publicKeyOf } from '../src/index.ts';
import { peerIdOfPublicKey } from '../src/p2p/identity.ts';

const hex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));

describe('p2p identity', () => {
  it('gives the well-known address of the secret key 1', () => {
    const key = hex('0000000000000000000000000000000000000000000000000000000000000001');
    expect(operatorAddressOf(publicKeyOf(key))).toBe('0x7e5f4552091a69125d5dfcb7b8c2659029395bdf');
  });

  it('gives the same address for the compressed and uncompressed forms', () => {
    const key = hex('4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318');
    // The example account of the web3.js documentation.
    expect(operatorAddressOf(publicKeyOf(key))).toBe('0x2c7536e3605d9c16a7a3d7b1898e529396a65c23');
    expect(operatorAddressOf(secp256k1.getPublicKey(key, false))).toBe(
      '0x2c7536e3605d9c16a7a3d7b1898e529396a65c23',
    );
  });

  it('derives the same peer id as libp2p does from the secret key', () => {
    const key = hex('4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318');
    expect(peerIdOfPublicKey(publicKeyOf(key)).toString()).toBe(
      peerIdFromPrivateKey(privateKeyFromRaw(key)).toString(),
    );
    expect(createP2pNetwork({ privateKey: key, listen: [] }).peerId).toBe(
      peerIdOfPublicKey(publicKeyOf(key)).toString(),
    );
  });

  it('refuses a bad secret key without showing it', () => {
    const zero = new Uint8Array(32);
    let error: unknown;
    try {
      publicKeyOf(zero);
    } catch (e) {
      error = e;
    }
    expect(isOperatorError(error, 'INVALID_OPTION')).toBe(true);
    expect(String((error as Error).message)).not.toContain('00000000');
  });

  it('refuses a public key that is not on the curve', () => {
    const bad = new Uint8Array(33);
    bad[0] = 2;
    bad.fill(0xff, 1);
    expect(() => operatorAddressOf(bad)).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
  });
});

describe('p2p peer set', () => {
  const self = hex('4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318');
  const other = hex('0000000000000000000000000000000000000000000000000000000000000002');
  const network = createP2pNetwork({ privateKey: self, listen: [] });
  const good = {
    address: operatorAddressOf(publicKeyOf(other)),
    publicKey: publicKeyOf(other),
    multiaddrs: ['/ip4/127.0.0.1/tcp/9000'],
  };
  const fieldOf = (peers: unknown[]) => {
    try {
      network.setPeers(peers as never);
    } catch (e) {
      return isOperatorError(e, 'INVALID_PEER') ? `${e.details.index} ${e.details.field}` : String(e);
    }
    return 'accepted';
  };

  it('names the first bad entry and field', () => {
    expect(fieldOf([good])).toBe('accepted');
    expect(fieldOf([good, { ...good, address: good.address.toUpperCase() }])).toBe('1 address');
    expect(fieldOf([{ ...good, publicKey: new Uint8Array(33) }])).toBe('0 publicKey');
    expect(fieldOf([{ ...good, publicKey: secp256k1.getPublicKey(other, false) }])).toBe('0 publicKey');
    expect(fieldOf([{ ...good, multiaddrs: ['/ip4/127.0.0.1/tcp/1', 'not a multiaddr'] }])).toBe(
      '0 multiaddrs[1]',
    );
    const elsewhere = `/ip4/127.0.0.1/tcp/1/p2p/${network.peerId}`;
    expect(fieldOf([{ ...good, multiaddrs: [elsewhere] }])).toBe('0 multiaddrs[0]');
    expect(fieldOf([good, good])).toBe('1 address');
  });

  it('leaves this operator out of its own set, and keeps the old set after a bad call', () => {
    const selfEntry = { address: network.address, publicKey: publicKeyOf(self), multiaddrs: [] };
    network.setPeers([good, selfEntry]);
    expect(network.stats().map((s) => s.address)).toEqual([good.address]);
    expect(fieldOf([{ ...good, publicKey: new Uint8Array(33) }])).toBe('0 publicKey');
    expect(network.stats().map((s) => s.address)).toEqual([good.address]);
  });
});
